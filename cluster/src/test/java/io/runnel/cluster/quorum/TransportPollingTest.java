package io.runnel.cluster.quorum;

import org.agrona.nio.TransportPoller;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class TransportPollingTest
{
    private String before;

    @BeforeEach
    void remember()
    {
        before = System.getProperty(TransportPoller.ITERATION_THRESHOLD_PROP_NAME);
    }

    @AfterEach
    void restore()
    {
        if (before == null)
        {
            System.clearProperty(TransportPoller.ITERATION_THRESHOLD_PROP_NAME);
        }
        else
        {
            System.setProperty(TransportPoller.ITERATION_THRESHOLD_PROP_NAME, before);
        }
    }

    @Test
    void driversAskEpollAtAnyNumberOfSockets()
    {
        System.clearProperty(TransportPoller.ITERATION_THRESHOLD_PROP_NAME);
        TransportPolling.installProcessDefault();
        assertEquals("0", System.getProperty(TransportPoller.ITERATION_THRESHOLD_PROP_NAME));
    }

    @Test
    void anOperatorsThresholdStays()
    {
        System.setProperty(TransportPoller.ITERATION_THRESHOLD_PROP_NAME, "3");
        TransportPolling.installProcessDefault();
        assertEquals("3", System.getProperty(TransportPoller.ITERATION_THRESHOLD_PROP_NAME));
    }
}
