// LoopbackDynamoDBLocal starts DynamoDB Local exactly as its own main class
// (ServerRunner) would, with the same command-line flags, but bound to one
// address (127.0.0.1 unless -Dddblocal.host=... says otherwise).
//
// Why: DynamoDB Local has no flag for the listen address; it builds a Jetty
// Server(port), which binds every interface. We take that Jetty server before
// it starts and set the host of its connectors.
//
// scripts/tools.sh compiles this against DynamoDBLocal.jar into .tools/ddblocal/
// when a JDK (javac) is present; scripts/services.sh uses it when compiled and
// falls back to the plain jar (all interfaces) otherwise.

import com.amazonaws.services.dynamodbv2.local.main.ServerRunner;
import com.amazonaws.services.dynamodbv2.local.server.DynamoDBProxyServer;
import java.lang.reflect.Field;
import org.eclipse.jetty.server.AbstractNetworkConnector;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Server;

public final class LoopbackDynamoDBLocal {
    public static void main(String[] args) throws Exception {
        String host = System.getProperty("ddblocal.host", "127.0.0.1");
        DynamoDBProxyServer proxy = ServerRunner.createServerFromCommandLineArgs(args);
        Field f = DynamoDBProxyServer.class.getDeclaredField("server");
        f.setAccessible(true);
        Server jetty = (Server) f.get(proxy);
        int bound = 0;
        for (Connector c : jetty.getConnectors()) {
            if (c instanceof AbstractNetworkConnector) {
                ((AbstractNetworkConnector) c).setHost(host);
                bound++;
            }
        }
        if (bound == 0) {
            throw new IllegalStateException("no network connector to bind to " + host);
        }
        proxy.start();
        System.out.println("DynamoDB Local listening on " + host + " (LoopbackDynamoDBLocal)");
        proxy.join();
    }
}
