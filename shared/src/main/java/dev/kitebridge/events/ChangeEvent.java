package dev.kitebridge.events;

import java.time.Instant;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * One change a sync run found, as the contract delivers it (pull and webhooks).
 *
 * @param id stable for the change: the same run finding the same change (after a crash, a resume,
 *     a replay) gives it the same id, so a receiver can deduplicate
 * @param position where the event stands in its account's log: events are delivered in this order
 * @param previousAttributes for {@code *.updated}: the changed fields' values before the change
 */
public record ChangeEvent(
        String id,
        String event,
        String tenantId,
        String integratedAccountId,
        Instant createdAt,
        JsonNode data,
        @JsonInclude(JsonInclude.Include.NON_NULL) JsonNode previousAttributes,
        @JsonIgnore String position) {

    public static final String USER_CREATED = "user.created";
    public static final String USER_UPDATED = "user.updated";
    public static final String USER_DELETED = "user.deleted";
    public static final String GROUP_CREATED = "group.created";
    public static final String GROUP_UPDATED = "group.updated";
    public static final String GROUP_DELETED = "group.deleted";
    public static final String GROUP_USER_ADDED = "group.user_added";
    public static final String GROUP_USER_REMOVED = "group.user_removed";
    public static final String SYNC_RUN_COMPLETED = "sync_run.completed";
    public static final String SYNC_RUN_FAILED = "sync_run.failed";
    public static final String ACCOUNT_CREATED = "integrated_account.created";
    public static final String ACCOUNT_NEEDS_REAUTH = "integrated_account.needs_reauth";

    /** Every event type a subscription may ask for. */
    public static final java.util.List<String> TYPES = java.util.List.of(USER_CREATED, USER_UPDATED, USER_DELETED, GROUP_CREATED,
            GROUP_UPDATED, GROUP_DELETED, GROUP_USER_ADDED, GROUP_USER_REMOVED, SYNC_RUN_COMPLETED, SYNC_RUN_FAILED,
            ACCOUNT_CREATED, ACCOUNT_NEEDS_REAUTH);
}
