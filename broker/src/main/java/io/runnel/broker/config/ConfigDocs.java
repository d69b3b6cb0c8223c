package io.runnel.broker.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

import io.runnel.kernel.config.DeclaredKey;
import io.runnel.kernel.log.TopicConfigDef;
import org.apache.kafka.common.config.ConfigDef;

/**
 * {@code ConfigDocs [repository root]}: renders the README's configuration tables and
 * {@code config/server.properties} from the key declarations ({@link BrokerConfigDef},
 * {@link TopicConfigDef}) and writes them. {@code bin/runnel config-docs} runs it; a unit test fails
 * when the committed files differ from what this renders.
 */
public final class ConfigDocs
{
    /** What a developer runs after changing a declaration. */
    public static final String REGENERATE_COMMAND = "bin/runnel config-docs";
    public static final String README = "README.md";
    public static final String SERVER_PROPERTIES = "config/server.properties";
    static final String BEGIN = "<!-- Generated from BrokerConfigDef and TopicConfigDef by `" + REGENERATE_COMMAND
        + "`: edit the declarations, not these tables. -->";
    static final String END = "<!-- End of generated configuration tables. -->";

    private static final int COMMENT_WIDTH = 100;
    /** After the meaning of a broker key that IncrementalAlterConfigs / AlterConfigs can change. */
    private static final String DYNAMIC_MARK = "*Dynamic: changeable at run time, cluster-wide or per broker.*";
    private static final String HEADER = """
        # Runnel broker configuration.
        #
        # Key names are Kafka's wherever Kafka has the setting; Runnel's own settings start with "runnel.".
        # Every value below is the built-in default: delete a line and nothing changes. Any key can also
        # be set on the command line:  bin/runnel broker config/server.properties --override key=value
        #
        # With neither controller.quorum.voters nor controller.quorum.bootstrap.servers set, a node is a single
        # broker that is its own controller; with them, it is a member of a cluster under a metadata quorum
        # (KRaft's keys), whose partitions replicate between brokers (runnel.replication.enable). There is
        # no TLS, SASL or ACLs yet.
        #
        # This file is generated from the key declarations (broker/.../config/BrokerConfigDef.java) by
        # %s; change a default or a description there, then regenerate.
        """.formatted(REGENERATE_COMMAND);

    private ConfigDocs()
    {
    }

    public static void main(final String[] args) throws IOException
    {
        final Path root = Path.of(args.length > 0 ? args[0] : ".");
        final Path readme = root.resolve(README);
        final String current = Files.readString(readme, StandardCharsets.UTF_8);
        Files.writeString(readme, withTables(current), StandardCharsets.UTF_8);
        Files.writeString(root.resolve(SERVER_PROPERTIES), serverProperties(), StandardCharsets.UTF_8);
        System.out.println("wrote the configuration tables in " + readme + " and " + root.resolve(SERVER_PROPERTIES));
    }

    /** {@code readme} with the text between the generated-tables markers replaced by {@link #tables()}. */
    public static String withTables(final String readme)
    {
        final int begin = readme.indexOf(BEGIN);
        final int end = readme.indexOf(END);
        if (begin < 0 || end < begin)
        {
            throw new IllegalArgumentException(README + " has no generated-tables markers (" + BEGIN + " ... " + END + ")");
        }
        return readme.substring(0, begin) + BEGIN + "\n\n" + tables() + "\n" + readme.substring(end);
    }

    /** The text between the markers as it stands in {@code readme}, or null without markers. */
    public static String currentTables(final String readme)
    {
        final int begin = readme.indexOf(BEGIN);
        final int end = readme.indexOf(END);
        return begin < 0 || end < begin ? null : readme.substring(begin + BEGIN.length() + 2, end - 1);
    }

    /** The broker-key table and the topic-key table, in Markdown, with the README's columns: key | default | meaning. */
    public static String tables()
    {
        final StringBuilder out = new StringBuilder();
        out.append("| key | default | meaning |\n|---|---|---|\n");
        for (final DeclaredKey key : BrokerConfigDef.keys())
        {
            row(out, key, shownDefault(key), key.dynamic() ? " " + DYNAMIC_MARK : "");
        }
        out.append("\nTopic keys, accepted by CreateTopics (any other is refused with `INVALID_CONFIG`) and all changeable at run\n")
            .append("time; a topic that does not set one gets its default from the broker key named in the default column:\n\n");
        out.append("| key | default | meaning |\n|---|---|---|\n");
        for (final DeclaredKey key : TopicConfigDef.keys())
        {
            final List<DeclaredKey> synonyms = BrokerConfigDef.synonymsOf(key.name);
            final String value = shownDefault(key);
            row(out, key, synonyms.isEmpty() ? value : value + " (" + synonyms.stream()
                .map(synonym -> "`" + synonym.name + "`").collect(Collectors.joining(" / ")) + ")", "");
        }
        return out.toString();
    }

    private static void row(final StringBuilder out, final DeclaredKey key, final String shownDefault, final String note)
    {
        out.append("| `").append(key.name).append("` | ").append(shownDefault).append(" | ").append(key.documentation).append(note)
            .append(" |\n");
    }

    private static String shownDefault(final DeclaredKey key)
    {
        if (key.defaultText() != null)
        {
            return key.defaultText();
        }
        return key.defaultValue == null ? "unset" : "`" + ConfigDef.convertToString(key.defaultValue, key.type) + "`";
    }

    /** {@code config/server.properties}: every broker key by group, its documentation as a comment, its default as the value. */
    public static String serverProperties()
    {
        final StringBuilder out = new StringBuilder(HEADER);
        String group = null;
        for (final DeclaredKey key : BrokerConfigDef.keys())
        {
            if (!key.group.equals(group))
            {
                group = key.group;
                out.append("\n############################# ").append(group).append(" #############################\n");
            }
            out.append('\n');
            String doc = key.documentation;
            if (key.defaultValue == null && key.defaultText() != null)
            {
                doc += " Unset: " + key.defaultText() + ".";
            }
            comment(out, doc);
            if (key.defaultValue == null)
            {
                out.append('#').append(key.name).append("=\n");
            }
            else
            {
                out.append(key.name).append('=').append(ConfigDef.convertToString(key.defaultValue, key.type)).append('\n');
            }
        }
        return out.toString();
    }

    private static void comment(final StringBuilder out, final String text)
    {
        StringBuilder line = new StringBuilder("#");
        for (final String word : text.split(" "))
        {
            if (line.length() + 1 + word.length() > COMMENT_WIDTH && line.length() > 1)
            {
                out.append(line).append('\n');
                line = new StringBuilder("#");
            }
            line.append(' ').append(word);
        }
        out.append(line).append('\n');
    }
}
