package io.partita.common.protocol;

/**
 * A worker's load, published into Hazelcast ({@link MemberAttributes#WORKER_LOAD_MAP}) about once a second.
 *
 * @param running        tasks executing now
 * @param queued         tasks received and not yet started
 * @param storedKeys     results held
 * @param storedBytes    bytes of results held
 * @param heapUsedBytes  JVM heap in use
 * @param processBytes   resident memory of the worker process
 */
public record WorkerLoad(String workerId, int running, int queued, int storedKeys, long storedBytes,
                         long heapUsedBytes, long processBytes, long timestampMillis) {
}
