package dev.jrun.api;

import dev.jrun.container.ContainerStatus;

/**
 * The host port a private network published a container's port on ({@code -p PORT} picks a
 * free one when the container starts). It is to be read from the container's record, where
 * `jrun run` writes what it chose, so that `jrun ps` and this library see the same.
 */
final class PublishedPorts {
    private PublishedPorts() {}

    static int hostPort(ContainerStatus c, int containerPort) {
        // This jrun records no published ports yet (the private network comes with issue 9):
        // read them here from c.area().record() once it does.
        throw new JrunApiException("port " + containerPort + " of container " + c.name() + ": this jrun does not "
                + "record published ports yet; use --network host (withNetwork(\"host\")), where the container's "
                + "port is the host's, or a fixed withPortBinding(hostPort, containerPort)");
    }
}
