package io.partita.architecture;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.DynamicTest;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.Arrays;
import java.util.stream.Stream;

/**
 * Runs a class's static {@link ArchRule} fields as JUnit tests, one per rule, on the main classes of every module.
 * Plain Jupiter dynamic tests rather than ArchUnit's own engine, whose results surefire here counted as none.
 */
final class Rules {
    private static JavaClasses mainClasses;

    private Rules() {
    }

    static synchronized JavaClasses mainClasses() {
        if (mainClasses == null) {
            mainClasses = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                    .importPackages("io.partita");
        }
        return mainClasses;
    }

    static Stream<DynamicTest> of(Class<?> holder) {
        return Arrays.stream(holder.getDeclaredFields())
                .filter(field -> Modifier.isStatic(field.getModifiers()) && field.getType() == ArchRule.class)
                .map(field -> DynamicTest.dynamicTest(field.getName(), () -> rule(field).check(mainClasses())));
    }

    private static ArchRule rule(Field field) throws IllegalAccessException {
        field.setAccessible(true);
        return (ArchRule) field.get(null);
    }
}
