package io.runnel.io.api.control;

import java.util.List;

import io.runnel.io.DescribedConfigs;
import io.runnel.io.api.BrokerServices;
import io.runnel.kernel.topic.Topic;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.message.DescribeConfigsRequestData;
import org.apache.kafka.common.message.DescribeConfigsResponseData;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.DescribeConfigsResponse;

/**
 * DescribeConfigs for topics (their overrides over the broker's defaults), for this broker (resource
 * name node.id: every key) and for the cluster-wide default (resource name "": only the keys set at
 * that level, as Kafka lists them), rendered from the {@link DescribedConfigs} in force now: values,
 * sources and, when asked, synonyms and documentation.
 */
final class ConfigDescriber
{
    /** DescribeConfigs v3 added ConfigType and Documentation. */
    private static final short FIRST_VERSION_WITH_TYPES = 3;

    private final BrokerServices services;

    ConfigDescriber(final BrokerServices services)
    {
        this.services = services;
    }

    /** A key is writable if it can change at run time, through IncrementalAlterConfigs or AlterConfigs ({@link ConfigAlterer}). */
    static boolean readOnly(final DescribedConfigs.Entry entry)
    {
        return !entry.dynamic();
    }

    ApiMessage describe(final ApiMessage message, final short version)
    {
        final DescribeConfigsRequestData request = (DescribeConfigsRequestData)message;
        final DescribeConfigsResponseData response = new DescribeConfigsResponseData();
        final DescribedConfigs described = services.brokerConfigs().described();
        for (final DescribeConfigsRequestData.DescribeConfigsResource resource : request.resources())
        {
            final DescribeConfigsResponseData.DescribeConfigsResult result = new DescribeConfigsResponseData.DescribeConfigsResult()
                .setResourceType(resource.resourceType()).setResourceName(resource.resourceName());
            response.results().add(result);
            final ConfigResource.Type type = ConfigResource.Type.forId(resource.resourceType());
            final List<DescribedConfigs.Entry> entries;
            if (type == ConfigResource.Type.TOPIC)
            {
                final Topic topic = services.logManager().registry().snapshot().topic(resource.resourceName());
                if (topic == null)
                {
                    result.setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code()).setErrorMessage("no topic " + resource.resourceName());
                    continue;
                }
                entries = described.topic(topic.configs());
            }
            else if (type == ConfigResource.Type.BROKER)
            {
                final String nodeId = Integer.toString(services.config().nodeId());
                if (!resource.resourceName().isEmpty() && !resource.resourceName().equals(nodeId))
                {
                    result.setErrorCode(Errors.INVALID_REQUEST.code()).setErrorMessage("this is broker " + nodeId);
                    continue;
                }
                entries = resource.resourceName().isEmpty() ? described.clusterDefaults() : described.broker();
            }
            else
            {
                result.setErrorCode(Errors.INVALID_REQUEST.code()).setErrorMessage("unsupported resource type " + resource.resourceType());
                continue;
            }
            final List<String> wanted = resource.configurationKeys();
            for (final DescribedConfigs.Entry entry : entries)
            {
                if (wanted == null || wanted.contains(entry.name()))
                {
                    result.configs().add(render(entry, request.includeSynonyms(), request.includeDocumentation(), version));
                }
            }
        }
        return response;
    }

    private static DescribeConfigsResponseData.DescribeConfigsResourceResult render(final DescribedConfigs.Entry entry,
        final boolean includeSynonyms, final boolean includeDocumentation, final short version)
    {
        final DescribeConfigsResponseData.DescribeConfigsResourceResult result = new DescribeConfigsResponseData.DescribeConfigsResourceResult()
            .setName(entry.name()).setValue(entry.value()).setReadOnly(readOnly(entry))
            .setConfigSource(entry.source().id()).setIsSensitive(entry.sensitive());
        if (includeSynonyms)
        {
            for (final DescribedConfigs.Synonym synonym : entry.synonyms())
            {
                result.synonyms().add(new DescribeConfigsResponseData.DescribeConfigsSynonym()
                    .setName(synonym.name()).setValue(synonym.value()).setSource(synonym.source().id()));
            }
        }
        if (version >= FIRST_VERSION_WITH_TYPES)
        {
            result.setConfigType(DescribeConfigsResponse.ConfigType.valueOf(entry.type().name()).id());
            result.setDocumentation(includeDocumentation ? entry.documentation() : null);
        }
        return result;
    }
}
