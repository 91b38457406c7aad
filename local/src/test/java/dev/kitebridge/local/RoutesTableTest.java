package dev.kitebridge.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.junit.jupiter.api.Test;

import dev.kitebridge.api.Routes;
import dev.kitebridge.app.Application;

/**
 * The routes table and template.yaml name the same routes: every route key the template declares
 * (what API Gateway puts in an event's {@code routeKey}) has exactly one endpoint in
 * {@link Routes}, and the table has no route the template does not declare.
 */
class RoutesTableTest {

    @Test
    void everyRouteOfTheTemplateHasOneEntryInTheTableAndViceVersa() throws IOException {
        List<String> declared = new ArrayList<>();
        for (Template.Function function : Template.load(Path.of("template.yaml")).functions()) {
            for (Template.Route route : function.routes()) {
                declared.add(route.method() + " " + route.path());
            }
        }
        Set<String> once = new TreeSet<>(declared);
        assertEquals(declared.size(), once.size(), "template.yaml declares each route once: " + declared);

        Routes routes = Application.create(LocalState.inMemory(Map.of()).wiring()).routes();
        assertEquals(once, new TreeSet<>(routes.keys()), "the routes table has template.yaml's routes, and no other");
        assertTrue(routes.keys().contains(Routes.HEALTH));
    }
}
