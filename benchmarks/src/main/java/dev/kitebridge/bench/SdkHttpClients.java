package dev.kitebridge.bench;

import java.nio.file.Path;
import java.util.Arrays;

import software.amazon.awssdk.core.SdkSystemSetting;
import software.amazon.awssdk.http.apache.ApacheSdkHttpService;
import software.amazon.awssdk.http.crt.AwsCrtSdkHttpService;
import software.amazon.awssdk.http.urlconnection.UrlConnectionSdkHttpService;

/**
 * The AWS SDK's synchronous HTTP clients the benchmarks measure. The deployment packages carry one
 * (Apache's), which the SDK discovers; the others' jars are copied by the build into
 * benchmarks/target/sdk-http/NAME/ and one of them is named with the SDK's system property.
 */
public enum SdkHttpClients {

    URL_CONNECTION("url-connection", UrlConnectionSdkHttpService.class),
    APACHE("apache", ApacheSdkHttpService.class),
    CRT("crt", AwsCrtSdkHttpService.class);

    /** The system property that names the SDK's HTTP client when several are on the classpath. */
    public static final String PROPERTY = SdkSystemSetting.SYNC_HTTP_SERVICE_IMPL.property();
    /** The one in the deployment packages. */
    public static final SdkHttpClients DEPLOYED = APACHE;

    private final String label;
    private final Class<?> service;

    SdkHttpClients(String label, Class<?> service) {
        this.label = label;
        this.service = service;
    }

    public String label() {
        return label;
    }

    public String service() {
        return service.getName();
    }

    /** Its jars, for a process started from the deployment package, which carries only the deployed client. */
    public Path jars() {
        return Path.of("benchmarks/target/sdk-http", label);
    }

    public static SdkHttpClients named(String label) {
        return Arrays.stream(values()).filter(client -> client.label.equals(label)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no SDK HTTP client " + label));
    }
}
