package io.runnel.io.api.control;

import java.util.List;
import java.util.Map;

import io.runnel.io.api.BrokerServices;
import io.runnel.kernel.topic.Topic;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.message.DescribeConfigsRequestData;
import org.apache.kafka.common.message.DescribeConfigsResponseData;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;

/** DescribeConfigs for topics (overrides over broker defaults) and for this broker. */
final class ConfigDescriber
{
    /** Kafka's DescribeConfigs config sources. */
    static final byte SOURCE_TOPIC = 1;
    static final byte SOURCE_STATIC_BROKER = 4;
    static final byte SOURCE_DEFAULT = 5;

    private final BrokerServices services;

    ConfigDescriber(final BrokerServices services)
    {
        this.services = services;
    }

    static String brokerDefault(final BrokerServices services, final TopicConfigs.Key key)
    {
        return services.config().brokerConfigs().getOrDefault(key.brokerKey(), key.kafkaDefault());
    }

    ApiMessage describe(final ApiMessage message)
    {
        final DescribeConfigsRequestData request = (DescribeConfigsRequestData)message;
        final DescribeConfigsResponseData response = new DescribeConfigsResponseData();
        for (final DescribeConfigsRequestData.DescribeConfigsResource resource : request.resources())
        {
            final DescribeConfigsResponseData.DescribeConfigsResult result = new DescribeConfigsResponseData.DescribeConfigsResult()
                .setResourceType(resource.resourceType()).setResourceName(resource.resourceName());
            response.results().add(result);
            final List<String> wanted = resource.configurationKeys();
            final ConfigResource.Type type = ConfigResource.Type.forId(resource.resourceType());
            if (type == ConfigResource.Type.TOPIC)
            {
                final Topic topic = services.logManager().registry().snapshot().topic(resource.resourceName());
                if (topic == null)
                {
                    result.setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code()).setErrorMessage("no topic " + resource.resourceName());
                    continue;
                }
                for (final TopicConfigs.Key key : TopicConfigs.KEYS.values())
                {
                    if (wanted == null || wanted.contains(key.topicKey()))
                    {
                        final String override = topic.configs().get(key.topicKey());
                        result.configs().add(entry(key.topicKey(), override != null ? override : brokerDefault(services, key),
                            override != null ? SOURCE_TOPIC : SOURCE_DEFAULT));
                    }
                }
            }
            else if (type == ConfigResource.Type.BROKER)
            {
                final String nodeId = Integer.toString(services.config().nodeId());
                if (!resource.resourceName().isEmpty() && !resource.resourceName().equals(nodeId))
                {
                    result.setErrorCode(Errors.INVALID_REQUEST.code()).setErrorMessage("this is broker " + nodeId);
                    continue;
                }
                for (final Map.Entry<String, String> entry : new java.util.TreeMap<>(services.config().brokerConfigs()).entrySet())
                {
                    if (wanted == null || wanted.contains(entry.getKey()))
                    {
                        result.configs().add(entry(entry.getKey(), entry.getValue(), SOURCE_STATIC_BROKER));
                    }
                }
            }
            else
            {
                result.setErrorCode(Errors.INVALID_REQUEST.code()).setErrorMessage("unsupported resource type " + resource.resourceType());
            }
        }
        return response;
    }

    private static DescribeConfigsResponseData.DescribeConfigsResourceResult entry(final String name, final String value, final byte source)
    {
        return new DescribeConfigsResponseData.DescribeConfigsResourceResult()
            .setName(name).setValue(value).setReadOnly(source != SOURCE_TOPIC && source != SOURCE_DEFAULT)
            .setConfigSource(source).setIsSensitive(false);
    }
}
