package dev.kitebridge.sandbox.rest;

import java.io.IOException;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

import dev.kitebridge.sandbox.http.Json;
import dev.kitebridge.sandbox.http.SandboxRequest;
import dev.kitebridge.sandbox.model.ApiToken;
import dev.kitebridge.sandbox.model.Organization;
import dev.kitebridge.sandbox.model.Refusal;
import dev.kitebridge.sandbox.model.World;

/**
 * One authenticated REST request being answered.
 *
 * @param organization the organization named in the path, if the token reaches it; null otherwise
 * @param baseUrl the sandbox's own URL, for the {@code url} fields and {@code Link} headers
 */
public record RestCall(
        SandboxRequest request,
        ApiToken token,
        Organization organization,
        Map<String, String> params,
        World world,
        String baseUrl) {

    public String viewerUuid() {
        return token.userUuid();
    }

    /** The organization in the path; Buildkite answers 404 when it is unknown or out of the token's reach. */
    public Organization org() {
        if (organization == null) {
            throw Refusal.notFound("No organization found");
        }
        return organization;
    }

    public String param(String name) {
        return params.get(name);
    }

    /** The JSON object in the request body; a body that is not one answers 400. */
    public JsonNode body() {
        if (request.body().length == 0) {
            throw new BadRequest("Problems parsing JSON: the request body is empty");
        }
        try {
            JsonNode body = Json.MAPPER.readTree(request.body());
            if (body == null || !body.isObject()) {
                throw new BadRequest("Problems parsing JSON: the request body must be a JSON object");
            }
            return body;
        } catch (IOException e) {
            throw new BadRequest("Problems parsing JSON");
        }
    }

    /** A request the sandbox cannot read at all (400), as opposed to one Buildkite refuses (422). */
    public static final class BadRequest extends RuntimeException {
        public BadRequest(String message) {
            super(message, null, false, false);
        }
    }
}
