package io.partita.common.config;

import picocli.CommandLine;

/** The version every Partita command prints for {@code --version}: the jar's implementation version when packaged. */
public final class PartitaVersion implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
        String v = PartitaVersion.class.getPackage().getImplementationVersion();
        return new String[] {"Partita " + (v == null ? "development build" : v)};
    }
}
