package io.runnel.kernel.config;

import java.util.List;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;

/**
 * One configuration key as Runnel declares it: kafka-clients' {@link ConfigDef.ConfigKey} (name,
 * type, default, validator, documentation, group) plus what Kafka keeps in side tables rather than
 * in the key itself: whether the key is dynamic, whether Runnel applies it yet, and, for a broker
 * key, which topic key it supplies the default for (and in which unit).
 *
 * <p>Every key is optional: a key without a default has the value null ("unset"), and its
 * validator is only asked about values that are set.
 */
public final class DeclaredKey extends ConfigDef.ConfigKey
{
    /** Every key of a declaration made of DeclaredKeys, in declaration order. */
    public static List<DeclaredKey> keysOf(final ConfigDef def)
    {
        final List<DeclaredKey> keys = new java.util.ArrayList<>();
        def.configKeys().values().forEach(key -> keys.add((DeclaredKey)key));
        return java.util.Collections.unmodifiableList(keys);
    }

    /** @return the declared key of that name in {@code def}, or null. */
    public static DeclaredKey keyOf(final ConfigDef def, final String name)
    {
        return (DeclaredKey)def.configKeys().get(name);
    }

    private final boolean dynamic;
    private final String summary;
    private final String notEnforcedReason;
    private final String defaultText;
    private final DeclaredKey topicSynonym;
    private final long unitMs;

    private DeclaredKey(final Builder builder, final String documentation)
    {
        super(builder.name, builder.type, builder.defaultValue, builder.validator, ConfigDef.Importance.MEDIUM, documentation,
            builder.group, -1, ConfigDef.Width.NONE, builder.name, List.of(), null, false);
        this.dynamic = builder.dynamic;
        this.summary = builder.documentation;
        this.notEnforcedReason = builder.notEnforcedReason;
        this.defaultText = builder.defaultText;
        this.topicSynonym = builder.topicSynonym;
        this.unitMs = builder.unitMs;
    }

    public static Builder key(final String name, final ConfigDef.Type type)
    {
        return new Builder(name, type);
    }

    /** Alterable at run time (IncrementalAlterConfigs, AlterConfigs): Kafka marks it dynamic and Runnel applies a change without a restart. */
    public boolean dynamic()
    {
        return dynamic;
    }

    /** False for keys that are accepted and reported but not applied yet. */
    public boolean enforced()
    {
        return notEnforcedReason == null;
    }

    public boolean sensitive()
    {
        return type == ConfigDef.Type.PASSWORD;
    }

    /** The default as documentation shows it ("available processors", "unlimited"), or null to show the value. */
    public String defaultText()
    {
        return defaultText;
    }

    /** For a broker key: the topic key whose default it supplies, else null. */
    public DeclaredKey topicSynonym()
    {
        return topicSynonym;
    }

    /** This key's value (as parsed) in the units of its topic synonym: hours and minutes become ms, negative means -1. */
    public Object toTopicUnits(final Object value)
    {
        if (value == null || unitMs == 1)
        {
            return value;
        }
        final long amount = ((Number)value).longValue();
        return amount < 0 ? -1L : amount * unitMs;
    }

    /** The default as documentation shows it: {@link #defaultText()}, else the value, else null. */
    public String shownDefault()
    {
        return defaultText != null ? defaultText : defaultValue == null ? null : ConfigDef.convertToString(defaultValue, type);
    }

    /** Declares a key; {@link #build()} checks the declaration (kafka-clients validates the default against the validator). */
    public static final class Builder
    {
        private final String name;
        private final ConfigDef.Type type;
        private Object defaultValue;
        private ConfigDef.Validator validator;
        private String documentation;
        private String group;
        private boolean dynamic;
        private String notEnforcedReason;
        private String defaultText;
        private DeclaredKey topicSynonym;
        private long unitMs = 1;
        private boolean noDefault;

        private Builder(final String name, final ConfigDef.Type type)
        {
            this.name = name;
            this.type = type;
        }

        public Builder defaultValue(final Object value)
        {
            this.defaultValue = value;
            return this;
        }

        /** Unset unless configured; another key or the code supplies what applies then (say which in the doc or {@link #defaultText}). */
        public Builder noDefault()
        {
            this.noDefault = true;
            return this;
        }

        public Builder validator(final ConfigDef.Validator validator)
        {
            this.validator = validator;
            return this;
        }

        public Builder doc(final String documentation)
        {
            this.documentation = documentation;
            return this;
        }

        public Builder group(final String group)
        {
            this.group = group;
            return this;
        }

        public Builder dynamic()
        {
            this.dynamic = true;
            return this;
        }

        /** Accepted and reported, but not applied yet, for the reason given (e.g. "retention/compaction: issue 10"). */
        public Builder notEnforcedYet(final String reason)
        {
            this.notEnforcedReason = reason;
            return this;
        }

        public Builder defaultText(final String text)
        {
            this.defaultText = text;
            return this;
        }

        /**
         * A broker key that supplies the default of {@code topicKey} in the same unit: type, validator,
         * default (unless {@link #noDefault}), documentation (unless {@link #doc} is given), dynamic
         * flag and enforcement are the topic key's.
         */
        public Builder suppliesTopicDefault(final DeclaredKey topicKey)
        {
            if (topicKey.type != type)
            {
                throw new IllegalStateException(name + " is " + type + " but its topic synonym " + topicKey.name + " is " + topicKey.type);
            }
            inheritFrom(topicKey);
            validator = validator != null ? validator : topicKey.validator;
            defaultValue = topicKey.defaultValue;
            return this;
        }

        /**
         * A broker key that supplies the default of {@code topicKey} (in ms) in another unit; its
         * default is the topic key's converted to {@code unit}, and it needs its own validator.
         */
        public Builder suppliesTopicDefault(final DeclaredKey topicKey, final TimeUnit unit)
        {
            inheritFrom(topicKey);
            unitMs = unit.toMillis(1);
            final long topicDefaultMs = ((Number)topicKey.defaultValue).longValue();
            if (topicDefaultMs % unitMs != 0)
            {
                throw new IllegalStateException(topicKey.name + "'s default " + topicDefaultMs + " ms is not a whole number of " + unit);
            }
            final long converted = topicDefaultMs / unitMs;
            defaultValue = type == ConfigDef.Type.INT ? (Object)Math.toIntExact(converted) : (Object)converted;
            return this;
        }

        private void inheritFrom(final DeclaredKey topicKey)
        {
            topicSynonym = topicKey;
            documentation = documentation != null ? documentation : topicKey.summary;
            dynamic = topicKey.dynamic;
            notEnforcedReason = notEnforcedReason != null ? notEnforcedReason : topicKey.notEnforcedReason;
        }

        public DeclaredKey build()
        {
            if (documentation == null || documentation.isBlank())
            {
                throw new IllegalStateException(name + " has no documentation");
            }
            if (noDefault)
            {
                defaultValue = null;
                validator = validator == null ? null : setValuesOnly(validator);
            }
            else if (defaultValue == null)
            {
                throw new IllegalStateException(name + " has no default: declare noDefault() and say in its doc what applies when it is unset");
            }
            final String doc = notEnforcedReason == null ? documentation :
                documentation + " Accepted and reported; not enforced yet (" + notEnforcedReason + ").";
            return new DeclaredKey(this, doc);
        }

        /** kafka-clients asks a validator about null (unset) values too; an optional key only checks what is set. */
        private static ConfigDef.Validator setValuesOnly(final ConfigDef.Validator validator)
        {
            return ConfigDef.LambdaValidator.with((key, value) ->
            {
                if (value != null)
                {
                    validator.ensureValid(key, value);
                }
            }, validator::toString);
        }
    }

    /** A validator from a check that returns why a value is refused, or null if it is fine. */
    public static ConfigDef.Validator check(final java.util.function.Function<Object, String> refusal, final String validValues)
    {
        return ConfigDef.LambdaValidator.with((key, value) ->
        {
            final String why = value == null ? "a value is required" : refusal.apply(value);
            if (why != null)
            {
                throw new ConfigException(key, value, why);
            }
        }, () -> validValues);
    }
}
