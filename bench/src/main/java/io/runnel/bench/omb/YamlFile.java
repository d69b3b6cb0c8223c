package io.runnel.bench.omb;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/** Reads a YAML mapping and refuses fields it does not know, naming the file and the field. */
final class YamlFile
{
    private YamlFile()
    {
    }

    static Map<String, Object> read(final Path file, final Set<String> knownFields)
    {
        final Object parsed;
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8))
        {
            parsed = new Yaml(new SafeConstructor(new LoaderOptions())).load(reader);
        }
        catch (final NoSuchFileException ex)
        {
            throw new BenchConfigException("no such file: " + file);
        }
        catch (final IOException ex)
        {
            throw new BenchConfigException("cannot read " + file + ": " + ex.getMessage());
        }
        catch (final YAMLException ex)
        {
            throw new BenchConfigException(file + " is not valid YAML: " + ex.getMessage().lines().findFirst().orElse(""));
        }
        if (!(parsed instanceof Map<?, ?> map))
        {
            throw new BenchConfigException(file + " must be a YAML mapping of fields");
        }
        @SuppressWarnings("unchecked")
        final Map<String, Object> fields = (Map<String, Object>)map;
        for (final String field : fields.keySet())
        {
            if (!knownFields.contains(field))
            {
                throw new BenchConfigException(file + ": unknown field '" + field + "' (known: " + String.join(", ", new java.util.TreeSet<>(knownFields)) + ")");
            }
        }
        return fields;
    }

    static int integer(final Map<String, Object> fields, final String key, final int fallback, final Path file)
    {
        return (int)number(fields, key, fallback, file);
    }

    static double number(final Map<String, Object> fields, final String key, final double fallback, final Path file)
    {
        final Object value = fields.get(key);
        if (value == null)
        {
            return fallback;
        }
        if (value instanceof Number n)
        {
            return n.doubleValue();
        }
        throw new BenchConfigException(file + ": field '" + key + "' must be a number, was '" + value + "'");
    }

    static String string(final Map<String, Object> fields, final String key, final String fallback)
    {
        final Object value = fields.get(key);
        return value == null ? fallback : value.toString();
    }
}
