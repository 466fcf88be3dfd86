package io.partita.client.code;

/** Stores an artifact on the scheduler unless it is there already ({@code HEAD}, then {@code POST}). */
@FunctionalInterface
public interface ArtifactUploader {
    void ensureUploaded(Artifact artifact);

    ArtifactUploader NONE = a -> { };
}
