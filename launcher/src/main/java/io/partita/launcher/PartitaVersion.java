package io.partita.launcher;

import picocli.CommandLine;

/** The version printed by {@code --version}: the jar's implementation version when packaged. */
public final class PartitaVersion implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
        String v = PartitaVersion.class.getPackage().getImplementationVersion();
        return new String[] {"Partita " + (v == null ? "development build" : v)};
    }
}
