package io.partita.scheduler.state;

/** Which content-addressed jars (sha-256 hex) were uploaded; graph validation refuses functions needing others. */
@FunctionalInterface
public interface ArtifactCatalog {
    boolean contains(String sha256);

    static ArtifactCatalog all() {
        return sha -> true;
    }
}
