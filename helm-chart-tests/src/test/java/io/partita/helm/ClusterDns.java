package io.partita.helm;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.net.spi.InetAddressResolver;
import java.net.spi.InetAddressResolverProvider;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * The cluster DNS for this test JVM, so that a client here is an in-cluster client: the release's Services
 * ({@code *.data.svc}) and pod names ({@code a-b-c-d.data.pod.cluster.local}) resolve to the pods' address, every
 * other name as before. (The pods' JVMs get a hosts file instead, {@link ChartClusterTest#javaOpts}.)
 */
public final class ClusterDns extends InetAddressResolverProvider {
    @Override
    public InetAddressResolver get(Configuration configuration) {
        InetAddressResolver builtin = configuration.builtinResolver();
        return new InetAddressResolver() {
            @Override
            public Stream<InetAddress> lookupByName(String host, LookupPolicy policy) throws UnknownHostException {
                String name = host.toLowerCase(Locale.ROOT);
                if (name.endsWith("." + RenderedChart.NAMESPACE + ".svc") || name.endsWith(".pod.cluster.local")) {
                    return Stream.of(InetAddress.getByAddress(host, InetAddress.getByName(ChartClusterTest.POD_IP).getAddress()));
                }
                return builtin.lookupByName(host, policy);
            }

            @Override
            public String lookupByAddress(byte[] addr) throws UnknownHostException {
                return builtin.lookupByAddress(addr);
            }
        };
    }

    @Override
    public String name() {
        return "partita chart test cluster DNS";
    }
}
