package io.partita.worker.transfer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.partita.common.auth.ClusterToken;
import io.partita.common.codec.ValueCodec;
import io.partita.common.flight.FetchTicket;
import io.partita.common.flight.FlightAuth;
import io.partita.common.flight.KeyValueBatches;
import io.partita.common.protocol.WorkerAddress;
import io.partita.worker.store.HeapStore;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.flight.FlightClient;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.FlightStatusCode;
import org.apache.arrow.flight.Location;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class FlightServiceTest {
    private final ClusterToken token = ClusterToken.of("s3cret");
    private RootAllocator allocator;
    private HeapStore store;
    private FlightService server;

    @BeforeEach
    void start() throws Exception {
        allocator = new RootAllocator();
        store = new HeapStore();
        store.put("x-1", ValueCodec.encode("hello"));
        store.put("y-1", ValueCodec.encode(42L));
        server = new FlightService(allocator, store, "127.0.0.1", 0, token);
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
        store.close();
        allocator.close(); // throws if a buffer leaked
    }

    @Test
    void servesHeldKeysToAClientWithTheToken() throws Exception {
        Map<String, byte[]> got = new HashMap<>();
        try (FlightClient client = FlightClient.builder(allocator, Location.forGrpcInsecure("127.0.0.1", server.port())).build()) {
            KeyValueBatches.read(client.getStream(new FetchTicket(List.of("x-1", "y-1", "absent")).toTicket(),
                    FlightAuth.callOptions(token)), got::put);
        }
        assertThat(got).containsOnlyKeys("x-1", "y-1");
        assertThat(ValueCodec.decode(got.get("x-1"), getClass().getClassLoader())).isEqualTo("hello");
    }

    @Test
    void refusesAClientWithoutTheToken() throws Exception {
        try (FlightClient client = FlightClient.builder(allocator, Location.forGrpcInsecure("127.0.0.1", server.port())).build()) {
            assertThatThrownBy(() -> KeyValueBatches.read(client.getStream(new FetchTicket(List.of("x-1")).toTicket()), (k, v) -> { }))
                    .isInstanceOfSatisfying(FlightRuntimeException.class,
                            e -> assertThat(e.status().code()).isEqualTo(FlightStatusCode.UNAUTHENTICATED));
        }
    }

    @Test
    void peerFetcherStoresWhatArrivesAndNamesWhatDidNot() {
        HeapStore local = new HeapStore();
        try (PeerFetcher fetcher = new PeerFetcher(allocator, local, token)) {
            PeerFetcher.Result r = fetcher.fetch(new WorkerAddress("w", "h", server.uri(), ""), List.of("x-1", "absent"));
            assertThat(r.received()).containsExactly("x-1");
            assertThat(r.missing()).containsExactly("absent");
            assertThat(r.error()).contains("does not hold");
            assertThat(local.get("x-1")).isEqualTo(store.get("x-1"));
        }
    }
}
