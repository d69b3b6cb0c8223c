package io.runnel.broker.config;

import java.util.List;

/**
 * A node's listeners by role, as {@code listeners}, {@code advertised.listeners} and
 * {@code controller.listener.names} make them.
 *
 * @param broker                  the listeners this node binds for clients and other brokers, in configured order
 * @param controller              the listeners this node binds as a controller (none on a broker-only node)
 * @param advertisedBroker        the addresses clients and brokers are given for {@code broker}, hosts resolved:
 *                                never empty or 0.0.0.0; port 0 stands for the port the listener bound
 * @param advertisedController    the addresses the controller listeners are reached at, in controller.listener.names order
 * @param controllerListenerNames controller.listener.names, upper case; a broker-only node reaches the quorum through the first
 * @param interBrokerListenerName the broker listener other brokers connect to
 */
public record NodeListeners(
    List<ListenerEndpoint> broker,
    List<ListenerEndpoint> controller,
    List<ListenerEndpoint> advertisedBroker,
    List<ListenerEndpoint> advertisedController,
    List<String> controllerListenerNames,
    String interBrokerListenerName)
{
    public NodeListeners
    {
        broker = List.copyOf(broker);
        controller = List.copyOf(controller);
        advertisedBroker = List.copyOf(advertisedBroker);
        advertisedController = List.copyOf(advertisedController);
        controllerListenerNames = List.copyOf(controllerListenerNames);
    }
}
