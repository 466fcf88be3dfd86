package io.partita.it.containers;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.images.builder.ImageFromDockerfile;

/**
 * The Partita image, built from {@code docker/Dockerfile} the way a user builds it (the repository's launchers and
 * the distribution the launcher module packaged), under a tag of its own that {@link #remove(String)} deletes.
 */
final class PartitaImage {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    private PartitaImage() {}

    /** Builds the image; returns its tag. Its base ({@code eclipse-temurin:25-jre}) must be there or pullable. */
    static String build() {
        Path dist = ROOT.resolve("launcher/target/partita");
        if (!Files.isDirectory(dist.resolve("lib"))) {
            throw new IllegalStateException("no distribution in " + dist + ": build with -pl integration-tests -am");
        }
        String tag = "partita-it:" + UUID.randomUUID().toString().substring(0, 8);
        // Only what docker/Dockerfile copies (as the repository's .dockerignore allows): not the whole checkout.
        ImageFromDockerfile image = new ImageFromDockerfile(tag, false)
                .withDockerfilePath("docker/Dockerfile")
                .withFileFromPath("docker/Dockerfile", ROOT.resolve("docker/Dockerfile"))
                .withFileFromPath("docker/partita-docker-entrypoint", ROOT.resolve("docker/partita-docker-entrypoint"))
                .withFileFromPath("docker/partita-healthcheck", ROOT.resolve("docker/partita-healthcheck"))
                .withFileFromPath("bin", ROOT.resolve("bin"))
                .withFileFromPath("launcher/target/partita", dist);
        try {
            return image.get();
        } catch (RuntimeException e) {
            throw new IllegalStateException("docker build -f docker/Dockerfile failed (see the cause). Without access to a "
                    + "registry, build its base image first: sudo docker/build-base-image.sh", e);
        }
    }

    /** Deletes the image and its layers (they are large with the vfs storage driver CI uses). */
    static void remove(String tag) {
        if (tag != null) {
            DockerClientFactory.instance().client().removeImageCmd(tag).withForce(true).exec();
        }
    }
}
