package io.partita.scheduler.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code --join} names become every address they resolve to, as Hazelcast TCP-IP members. */
class HazelcastJoinMembersTest {
    private static InetAddress ip(String name, int... bytes) throws UnknownHostException {
        byte[] b = new byte[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            b[i] = (byte) bytes[i];
        }
        return InetAddress.getByAddress(name, b);
    }

    /** A DNS that knows a headless Service of three scheduler pods and one IPv6 host. */
    private static HazelcastCluster.Resolver dns() throws UnknownHostException {
        Map<String, InetAddress[]> zone = Map.of(
                "partita-scheduler-headless.ns.svc", new InetAddress[] {ip("p", 10, 1, 0, 4), ip("p", 10, 1, 0, 5), ip("p", 10, 1, 0, 6)},
                "v6-host", new InetAddress[] {ip("v6-host", 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1)});
        return host -> {
            if (zone.containsKey(host)) {
                return zone.get(host);
            }
            return InetAddress.getAllByName(host); // literals parse without a lookup; other names do not resolve here
        };
    }

    @Test
    void aNameThatResolvesToSeveralPodsStandsForAllOfThem() throws Exception {
        assertThat(HazelcastCluster.joinMembers(List.of("partita-scheduler-headless.ns.svc:5701"), 5701, dns()))
                .containsExactly("10.1.0.4:5701", "10.1.0.5:5701", "10.1.0.6:5701");
    }

    @Test
    void addressesKeepTheirPortsAndEntriesWithoutOneGetTheDefault() throws Exception {
        assertThat(HazelcastCluster.joinMembers(List.of("10.0.0.1:5801", " 10.0.0.2 ", "partita-scheduler-headless.ns.svc"), 5701, dns()))
                .containsExactly("10.0.0.1:5801", "10.0.0.2:5701", "10.1.0.4:5701", "10.1.0.5:5701", "10.1.0.6:5701");
    }

    @Test
    void ipv6AddressesAreBracketed() throws Exception {
        assertThat(HazelcastCluster.joinMembers(List.of("[::1]:5702", "::1", "v6-host:5703"), 5701, dns()))
                .containsExactly("[0:0:0:0:0:0:0:1]:5702", "[0:0:0:0:0:0:0:1]:5701", "[fd00:0:0:0:0:0:0:1]:5703");
    }

    @Test
    void aNameThatDoesNotResolveYetIsSkippedAndDuplicatesAreDropped() throws Exception {
        HazelcastCluster.Resolver nothing = host -> {
            if (host.equals("not-yet.invalid")) {
                throw new UnknownHostException(host);
            }
            return dns().allByName(host);
        };
        assertThat(HazelcastCluster.joinMembers(List.of("not-yet.invalid:5701", "10.1.0.4:5701",
                "partita-scheduler-headless.ns.svc:5701", ""), 5701, nothing))
                .containsExactly("10.1.0.4:5701", "10.1.0.5:5701", "10.1.0.6:5701");
    }
}
