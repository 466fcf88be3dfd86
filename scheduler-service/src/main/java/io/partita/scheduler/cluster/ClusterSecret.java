package io.partita.scheduler.cluster;

import io.partita.scheduler.config.SchedulerConfig;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The secret that seals the schedulers' Hazelcast state: {@code --cluster-secret-file}, else the token. */
public final class ClusterSecret {
    private static final Logger LOG = LoggerFactory.getLogger(ClusterSecret.class);

    private ClusterSecret() {
    }

    /**
     * The sealer of {@code config}'s cluster. Without a secret it seals nothing, which only a scheduler on loopback
     * may do: off loopback anyone who reaches the Hazelcast port could read the graphs and plant code.
     *
     * @throws IllegalArgumentException when the secret file cannot be read or is empty, or when a scheduler that
     *                                  listens off loopback has no secret
     */
    public static Sealer sealer(SchedulerConfig config) {
        if (!config.token().required() && !(loopback(config.host()) && loopback(config.listenHost()))) {
            LOG.warn("no cluster token while listening on {}, off loopback: anyone who reaches this scheduler's ports can "
                    + "submit code for the workers to run and read every result. Set --auth-token-file (docs/security.md)",
                    config.listenHost());
        }
        if (config.clusterSecretFile() != null) {
            byte[] secret;
            try {
                secret = Files.readString(config.clusterSecretFile(), StandardCharsets.UTF_8).strip().getBytes(StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot read --cluster-secret-file " + config.clusterSecretFile() + ": " + e, e);
            }
            if (secret.length == 0) {
                throw new IllegalArgumentException("--cluster-secret-file " + config.clusterSecretFile() + " is empty");
            }
            return Sealer.of(secret);
        }
        if (config.token().required()) {
            return Sealer.of(config.token().value().orElseThrow().getBytes(StandardCharsets.UTF_8));
        }
        for (String address : new String[] {config.host(), config.listenHost()}) {
            if (!loopback(address)) {
                throw new IllegalArgumentException("this scheduler listens on " + address + ", off loopback, without a cluster "
                        + "secret: anyone who reaches its Hazelcast port could read the accepted graphs and plant code for the "
                        + "workers to run. Set the cluster token (PARTITA_AUTH_TOKEN or --auth-token) or --cluster-secret-file");
            }
        }
        return Sealer.open();
    }

    static boolean loopback(String host) {
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
