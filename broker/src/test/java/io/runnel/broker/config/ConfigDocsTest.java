package io.runnel.broker.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import io.runnel.broker.BrokerConfig;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The README's configuration tables and config/server.properties are what the declarations render. */
class ConfigDocsTest
{
    /** Surefire runs in the module directory; the files live at the repository root. */
    private static final Path ROOT = Path.of("..");
    private static final String STALE = " differs from what the key declarations render; regenerate it with " + ConfigDocs.REGENERATE_COMMAND;

    @Test
    void readmeConfigurationTablesAreWhatTheDeclarationsRender() throws IOException
    {
        final String readme = Files.readString(ROOT.resolve(ConfigDocs.README), StandardCharsets.UTF_8);
        final String tables = ConfigDocs.currentTables(readme);
        assertNotNull(tables, ConfigDocs.README + " has lost its generated-tables markers");
        assertEquals(ConfigDocs.tables(), tables, ConfigDocs.README + "'s configuration tables" + STALE);
    }

    @Test
    void serverPropertiesIsWhatTheDeclarationsRender() throws IOException
    {
        assertEquals(ConfigDocs.serverProperties(), Files.readString(ROOT.resolve(ConfigDocs.SERVER_PROPERTIES), StandardCharsets.UTF_8),
            ConfigDocs.SERVER_PROPERTIES + STALE);
    }

    @Test
    void serverPropertiesSetsNothingButTheDefaults()
    {
        final BrokerConfig fromFile = BrokerConfig.parse(ROOT.resolve(ConfigDocs.SERVER_PROPERTIES), Map.of());
        final BrokerConfig defaults = BrokerConfig.of(Map.of());
        assertEquals(defaults.logConfig(), fromFile.logConfig());
        assertEquals(defaults.groupConfig(), fromFile.groupConfig());
        assertEquals(defaults.describedConfigs().topicDefaults().values().stream().map(e -> e.name() + "=" + e.value()).toList(),
            fromFile.describedConfigs().topicDefaults().values().stream().map(e -> e.name() + "=" + e.value()).toList());
    }

    @Test
    void regeneratingReplacesOnlyTheTablesBetweenTheMarkers()
    {
        final String readme = "# Title\n\nbefore\n\n" + ConfigDocs.BEGIN + "\n\nold table\n" + ConfigDocs.END + "\n\nafter\n";
        final String regenerated = ConfigDocs.withTables(readme);
        assertTrue(regenerated.startsWith("# Title\n\nbefore\n\n" + ConfigDocs.BEGIN + "\n\n| key | default | meaning |"), regenerated);
        assertTrue(regenerated.endsWith(ConfigDocs.END + "\n\nafter\n"), regenerated);
        assertEquals(ConfigDocs.tables(), ConfigDocs.currentTables(regenerated));
    }
}
