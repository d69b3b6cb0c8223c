package io.runnel.broker.config;

import java.util.Locale;

/** A role of {@code process.roles}, as KRaft names them. */
public enum ProcessRole
{
    /** Serves clients: produce, fetch, groups; in a cluster it registers with the quorum and heartbeats. */
    BROKER,
    /** A voter of the metadata quorum. */
    CONTROLLER;

    /** The role's name in {@code process.roles}. */
    public String configName()
    {
        return name().toLowerCase(Locale.ROOT);
    }

    /** @return the role named {@code name} in {@code process.roles}, or null if there is none of that name. */
    public static ProcessRole forConfigName(final String name)
    {
        for (final ProcessRole role : values())
        {
            if (role.configName().equals(name))
            {
                return role;
            }
        }
        return null;
    }
}
