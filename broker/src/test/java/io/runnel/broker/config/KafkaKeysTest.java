package io.runnel.broker.config;

import java.util.List;

import io.runnel.kernel.config.DeclaredKey;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.server.config.AbstractKafkaConfig;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The KRaft keys Runnel declares under Kafka's names have Kafka 4.4's types and defaults (Kafka's own declaration, from kafka-server). */
class KafkaKeysTest
{
    private static final List<String> KRAFT_KEYS = List.of(
        BrokerConfigDef.CONTROLLER_QUORUM_VOTERS, BrokerConfigDef.CONTROLLER_QUORUM_BOOTSTRAP_SERVERS, BrokerConfigDef.CONTROLLER_LISTENER_NAMES,
        BrokerConfigDef.LISTENER_SECURITY_PROTOCOL_MAP, BrokerConfigDef.INTER_BROKER_LISTENER_NAME, BrokerConfigDef.BROKER_HEARTBEAT_INTERVAL_MS,
        BrokerConfigDef.BROKER_SESSION_TIMEOUT_MS, BrokerConfigDef.BROKER_RACK, BrokerConfigDef.CONTROLLER_QUORUM_ELECTION_TIMEOUT_MS,
        BrokerConfigDef.CONTROLLER_QUORUM_FETCH_TIMEOUT_MS, BrokerConfigDef.METADATA_LOG_DIR, BrokerConfigDef.LISTENERS,
        BrokerConfigDef.ADVERTISED_LISTENERS, BrokerConfigDef.PROCESS_ROLES);

    @Test
    void kraftKeysHaveKafkasTypesAndDefaults()
    {
        for (final String name : KRAFT_KEYS)
        {
            final ConfigDef.ConfigKey kafka = AbstractKafkaConfig.CONFIG_DEF.configKeys().get(name);
            final DeclaredKey runnel = BrokerConfigDef.key(name);
            assertNotNull(kafka, name + " is not a Kafka key");
            assertEquals(kafka.type, runnel.type, name + "'s type");
            if (name.equals(BrokerConfigDef.LISTENERS) || name.equals(BrokerConfigDef.PROCESS_ROLES))
            {
                continue; // Runnel's single node: loopback only, and both roles (Kafka: every interface, and no default)
            }
            if (name.equals(BrokerConfigDef.LISTENER_SECURITY_PROTOCOL_MAP))
            {
                // Unset in Runnel's declaration so that server.properties does not set it (a set map must name the controller listener).
                assertEquals(kafka.defaultValue, SecurityProtocolMap.KAFKA_DEFAULT, name + "'s default when unset");
            }
            else if (runnel.defaultValue == null)
            {
                // Unset in Runnel: null, an empty list or no default at all in Kafka.
                assertTrue(kafka.defaultValue == null || kafka.defaultValue == ConfigDef.NO_DEFAULT_VALUE || List.of().equals(kafka.defaultValue),
                    name + ": Kafka's default is " + kafka.defaultValue);
            }
            else
            {
                assertEquals(kafka.defaultValue, runnel.defaultValue, name + "'s default");
            }
        }
    }
}
