package io.partita.client.code;

import static org.assertj.core.api.Assertions.assertThat;

import io.partita.client.Client;
import io.partita.common.codec.ValueCodec;
import io.partita.common.fn.Fn1;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CodeShipperTest {
    private final AtomicInteger uploads = new AtomicInteger();
    private final CodeShipper shipper = new CodeShipper(a -> uploads.incrementAndGet());

    @Test
    void packingADirectoryIsDeterministicSortedAndSkipsHiddenFiles(@TempDir Path dir) throws Exception {
        Files.createDirectories(dir.resolve("b/c"));
        Files.writeString(dir.resolve("b/c/Z.class"), "z");
        Files.writeString(dir.resolve("a.properties"), "a=1");
        Files.writeString(dir.resolve("b/A.class"), "a");
        Files.writeString(dir.resolve(".DS_Store"), "junk");
        byte[] first = DeterministicJar.pack(dir);
        Files.setLastModifiedTime(dir.resolve("b/A.class"), java.nio.file.attribute.FileTime.fromMillis(12345));
        byte[] second = DeterministicJar.pack(dir);
        assertThat(DeterministicJar.sha256(second)).isEqualTo(DeterministicJar.sha256(first));
        List<String> names = new ArrayList<>();
        try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(first))) {
            for (ZipEntry e; (e = in.getNextEntry()) != null; ) {
                names.add(e.getName());
            }
        }
        assertThat(names).containsExactly("a.properties", "b/A.class", "b/c/Z.class");

        Files.writeString(dir.resolve("b/A.class"), "changed");
        assertThat(DeterministicJar.sha256(DeterministicJar.pack(dir))).isNotEqualTo(DeterministicJar.sha256(first));
    }

    @Test
    void jdkAndPartitaClassesAreNotShipped() {
        assertThat(shipper.classPathEntry(String.class)).isEmpty();
        assertThat(shipper.classPathEntry(java.sql.Date.class)).isEmpty();
        assertThat(shipper.classPathEntry(int[].class)).isEmpty();
        assertThat(shipper.classPathEntry(ValueCodec.class)).isEmpty();
        assertThat(shipper.classPathEntry(Client.class)).isEmpty();
        assertThat(shipper.artifactsFor(List.of(String.class, Client.class, ValueCodec.class))).isEmpty();
        assertThat(uploads).hasValue(0);
    }

    @Test
    void userCodeAndLambdasMapToTheirClassPathEntryPackedAndUploadedOnce() {
        Fn1<Integer, Integer> lambda = x -> x + 1;
        Path testClasses = shipper.classPathEntry(CodeShipperTest.class).orElseThrow();
        assertThat(testClasses).isDirectory();
        assertThat(shipper.classPathEntry(lambda.getClass())).contains(testClasses);

        List<String> first = shipper.artifactsFor(List.of(lambda.getClass(), CodeShipperTest.class));
        List<String> again = shipper.artifactsFor(List.of(CodeShipperTest.class));
        assertThat(first).singleElement().isEqualTo(again.getFirst());
        assertThat(first.getFirst()).isEqualTo(CodeShipper.artifactOf(testClasses).sha256());
        assertThat(uploads).hasValue(1);
    }

    @Test
    void aJarIsShippedAsIs() {
        Path jar = shipper.classPathEntry(Assertions.class).orElseThrow();
        assertThat(jar.toString()).endsWith(".jar");
        List<String> digests = shipper.artifactsFor(List.of(Assertions.class));
        assertThat(digests).containsExactly(DeterministicJar.sha256(jar));
    }
}
