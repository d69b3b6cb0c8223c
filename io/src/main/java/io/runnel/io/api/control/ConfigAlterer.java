package io.runnel.io.api.control;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;

import io.runnel.io.api.ApiShard;
import io.runnel.io.api.BrokerServices;
import io.runnel.io.api.RequestContext;
import io.runnel.kernel.config.ConfigChange;
import io.runnel.kernel.topic.TopicRegistry;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.message.AlterConfigsRequestData;
import org.apache.kafka.common.message.AlterConfigsResponseData;
import org.apache.kafka.common.message.IncrementalAlterConfigsRequestData;
import org.apache.kafka.common.message.IncrementalAlterConfigsResponseData;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;

/**
 * IncrementalAlterConfigs and AlterConfigs, for topics and for this broker (resource name "" for
 * the cluster-wide default, or this broker's node.id). Each resource is checked here as Kafka's
 * broker checks it before its controller does (each resource once, each key once, no null value
 * but for a delete: INVALID_REQUEST), then changed by the conductor, which applies the change to the
 * configs in force and validates the result (INVALID_CONFIG, UNKNOWN_TOPIC_OR_PARTITION, or for a
 * broker INVALID_REQUEST, as Kafka answers). The response goes out once the conductor has answered
 * for every resource, that is once every partition log has its new settings. AlterConfigs replaces
 * all of a resource's configs: a key it leaves out is deleted.
 */
final class ConfigAlterer
{
    private final ApiShard local;
    private final BrokerServices services;

    ConfigAlterer(final ApiShard local, final BrokerServices services)
    {
        this.local = local;
        this.services = services;
    }

    void handle(final RequestContext context, final ApiMessage request)
    {
        switch (context.api())
        {
            case INCREMENTAL_ALTER_CONFIGS -> incremental(context, (IncrementalAlterConfigsRequestData)request);
            case ALTER_CONFIGS -> replacing(context, (AlterConfigsRequestData)request);
            default -> throw new IllegalArgumentException(context.api().toString());
        }
    }

    private void incremental(final RequestContext context, final IncrementalAlterConfigsRequestData request)
    {
        final IncrementalAlterConfigsResponseData response = new IncrementalAlterConfigsResponseData();
        final ConductorAnswers answers = new ConductorAnswers(context, response);
        final Set<String> repeated = repeated(request.resources().stream().map(r -> r.resourceType() + "/" + r.resourceName()).toList());
        for (final IncrementalAlterConfigsRequestData.AlterConfigsResource resource : request.resources())
        {
            final IncrementalAlterConfigsResponseData.AlterConfigsResourceResponse result =
                new IncrementalAlterConfigsResponseData.AlterConfigsResourceResponse()
                    .setResourceType(resource.resourceType()).setResourceName(resource.resourceName());
            response.responses().add(result);
            final BiConsumer<Errors, String> fail = (error, message) -> result.setErrorCode(error.code()).setErrorMessage(message);
            final List<String> names = resource.configs().stream().map(IncrementalAlterConfigsRequestData.AlterableConfig::name).toList();
            final List<ConfigChange.Step> steps = new ArrayList<>();
            final List<String> nullValues = new ArrayList<>();
            String unknownOperation = null;
            for (final IncrementalAlterConfigsRequestData.AlterableConfig config : resource.configs())
            {
                final ConfigChange.Operation operation = ConfigChange.Operation.forId(config.configOperation());
                if (operation == null)
                {
                    unknownOperation = "Unknown operations type " + config.configOperation();
                }
                else if (operation != ConfigChange.Operation.DELETE && config.value() == null)
                {
                    nullValues.add(config.name());
                }
                steps.add(new ConfigChange.Step(config.name(), operation, config.value()));
            }
            final String refusal = refusal(repeated.contains(resource.resourceType() + "/" + resource.resourceName()), names, nullValues);
            if (refusal != null || unknownOperation != null)
            {
                fail.accept(Errors.INVALID_REQUEST, refusal != null ? refusal : unknownOperation);
            }
            else
            {
                alter(resource.resourceType(), resource.resourceName(), ConfigChange.incremental(steps), request.validateOnly(), answers, fail);
            }
        }
        answers.allAsked();
    }

    private void replacing(final RequestContext context, final AlterConfigsRequestData request)
    {
        final AlterConfigsResponseData response = new AlterConfigsResponseData();
        final ConductorAnswers answers = new ConductorAnswers(context, response);
        final Set<String> repeated = repeated(request.resources().stream().map(r -> r.resourceType() + "/" + r.resourceName()).toList());
        for (final AlterConfigsRequestData.AlterConfigsResource resource : request.resources())
        {
            final AlterConfigsResponseData.AlterConfigsResourceResponse result = new AlterConfigsResponseData.AlterConfigsResourceResponse()
                .setResourceType(resource.resourceType()).setResourceName(resource.resourceName());
            response.responses().add(result);
            final BiConsumer<Errors, String> fail = (error, message) -> result.setErrorCode(error.code()).setErrorMessage(message);
            final List<String> names = resource.configs().stream().map(AlterConfigsRequestData.AlterableConfig::name).toList();
            final Map<String, String> configs = new LinkedHashMap<>();
            final List<String> nullValues = new ArrayList<>();
            for (final AlterConfigsRequestData.AlterableConfig config : resource.configs())
            {
                if (config.value() == null)
                {
                    nullValues.add(config.name());
                }
                configs.put(config.name(), config.value());
            }
            final String refusal = refusal(repeated.contains(resource.resourceType() + "/" + resource.resourceName()), names, nullValues);
            if (refusal != null)
            {
                fail.accept(Errors.INVALID_REQUEST, refusal);
            }
            else
            {
                alter(resource.resourceType(), resource.resourceName(), ConfigChange.replaceAll(configs), request.validateOnly(), answers, fail);
            }
        }
        answers.allAsked();
    }

    /** Kafka's broker-side checks of one resource (ConfigAdminManager.preprocess), in its order and words; null if it passes. */
    private static String refusal(final boolean repeatedResource, final List<String> names, final List<String> nullValues)
    {
        if (repeatedResource)
        {
            return "Each resource must appear at most once.";
        }
        if (!repeated(names).isEmpty())
        {
            return "Error due to duplicate config keys";
        }
        return nullValues.isEmpty() ? null : "Null value not supported for : " + String.join(", ", nullValues);
    }

    /** Checks the resource's name as Kafka does, then has the conductor make (or only validate) the change. */
    private void alter(final byte resourceType, final String name, final ConfigChange change, final boolean validateOnly,
        final ConductorAnswers answers, final BiConsumer<Errors, String> fail)
    {
        final ConfigResource.Type type = ConfigResource.Type.forId(resourceType);
        if (type == ConfigResource.Type.TOPIC)
        {
            if (name.isEmpty())
            {
                fail.accept(Errors.INVALID_REQUEST, "Default topic resources are not allowed.");
            }
            else if (!TopicRegistry.isLegalName(name))
            {
                fail.accept(Errors.INVALID_TOPIC_EXCEPTION, "topic names are 1-249 characters of [a-zA-Z0-9._-]");
            }
            else
            {
                local.conductor().alterTopicConfigs(name, change, validateOnly, answers.expect(outcome ->
                {
                    if (!outcome.isDone())
                    {
                        fail.accept(ConductorAnswers.errorOf(outcome), outcome.message());
                    }
                }));
            }
        }
        else if (type == ConfigResource.Type.BROKER)
        {
            final String refusal = name.isEmpty() ? null : brokerNameRefusal(name);
            if (refusal != null)
            {
                fail.accept(Errors.INVALID_REQUEST, refusal);
            }
            else
            {
                local.conductor().alterBrokerConfigs(services.brokerConfigs().update(name, change, validateOnly), answers.expect(outcome ->
                {
                    if (!outcome.isDone())
                    {
                        fail.accept(ConductorAnswers.errorOf(outcome), outcome.message());
                    }
                }));
            }
        }
        else
        {
            fail.accept(Errors.INVALID_REQUEST, "Unknown resource type " + resourceType);
        }
    }

    /** Kafka's check of a broker resource's name: this broker's id, as a base-10 integer. */
    private String brokerNameRefusal(final String name)
    {
        final int nodeId = services.config().nodeId();
        try
        {
            return Integer.parseInt(name) == nodeId ? null : "Unexpected broker id, expected " + nodeId + ", but received " + name;
        }
        catch (final NumberFormatException ex)
        {
            return "Node id must be an integer, but it is: " + name;
        }
    }

    private static Set<String> repeated(final List<String> names)
    {
        final Set<String> seen = new HashSet<>();
        final Set<String> repeated = new HashSet<>();
        for (final String name : names)
        {
            if (!seen.add(name))
            {
                repeated.add(name);
            }
        }
        return repeated;
    }
}
