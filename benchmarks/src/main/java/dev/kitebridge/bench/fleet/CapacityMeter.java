package dev.kitebridge.bench.fleet;

import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.DoubleAdder;

import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.core.SdkResponse;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemResponse;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.ConsumedCapacity;
import software.amazon.awssdk.services.dynamodb.model.DeleteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.DeleteItemResponse;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.GetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.PutItemResponse;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.ReturnConsumedCapacity;
import software.amazon.awssdk.services.dynamodb.model.ScanRequest;
import software.amazon.awssdk.services.dynamodb.model.ScanResponse;
import software.amazon.awssdk.services.dynamodb.model.TransactGetItemsRequest;
import software.amazon.awssdk.services.dynamodb.model.TransactGetItemsResponse;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItemsRequest;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItemsResponse;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemResponse;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

/**
 * What a process's AWS SDK clients cost, counted on the clients themselves: an
 * {@link ExecutionInterceptor} that asks DynamoDB for {@code ReturnConsumedCapacity=TOTAL} on every
 * request that takes it (GetItem, PutItem, UpdateItem, DeleteItem, Query, Scan, BatchGetItem,
 * BatchWriteItem, TransactWriteItems, TransactGetItems) and sums the read and write units the answers
 * report; it also counts every other service's calls by service and operation (Secrets Manager,
 * SQS), whose prices are per call.
 *
 * <p>Units are taken from the answer's {@code ConsumedCapacity} ({@code ReadCapacityUnits} /
 * {@code WriteCapacityUnits} where given, else {@code CapacityUnits}, read or write by the operation:
 * dynalite 4.0 reports only {@code CapacityUnits}, for every operation but the transactions, which it
 * does not implement). Where an answer carries none, and for a conditional write DynamoDB refused
 * (which DynamoDB still charges; no answer reports it), the units are computed from the items' sizes
 * as DynamoDB's developer guide, "DynamoDB read and write operations"
 * (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/read-write-operations.html), and
 * its on-demand pricing page (https://aws.amazon.com/dynamodb/pricing/on-demand/) document them:
 * <ul>
 *   <li>a write costs 1 unit per 1 KB of the item, rounded up, per item (a batch's items each rounded);
 *       a transactional write twice that; a delete or update whose item is unknown here, 1;</li>
 *   <li>a strongly consistent read 1 unit per 4 KB, rounded up, half that eventually consistent, twice
 *       it transactional; GetItem and BatchGetItem round each item; Query and Scan round the sum of the
 *       items they return; a read that finds nothing still costs the unit (or half), a Query too (dynalite
 *       reports 0 for an empty one: counted here as computed).</li>
 * </ul>
 * Item size: the lengths of the attribute names plus their values (UTF-8 strings, binaries, numbers
 * at about 1 byte per two digits plus 1, 1 byte for a boolean or null, 3 bytes plus the elements for
 * lists and maps), as the same guide's "Item sizes and formats" gives it.
 *
 * <p>Thread-safe. Use an instance on a client's {@code overrideConfiguration}, or {@link Global}
 * registered on the classpath ({@code software/amazon/awssdk/global/handlers/execution.interceptors},
 * the SDK's own mechanism), which meters every client a process builds into {@link #GLOBAL}.
 */
public class CapacityMeter implements ExecutionInterceptor {

    /** The meter of every client of the process, where {@link Global} is registered on the classpath. */
    public static final CapacityMeter GLOBAL = new CapacityMeter();

    private final DoubleAdder readUnits = new DoubleAdder();
    private final DoubleAdder writeUnits = new DoubleAdder();
    private final DoubleAdder computedUnits = new DoubleAdder();
    private final Map<String, AtomicLong> calls = new ConcurrentHashMap<>();
    private final Map<String, DoubleAdder> unitsByItem = new ConcurrentHashMap<>();

    /** Read units (RCU / on-demand read request units) consumed so far. */
    public double readUnits() {
        return readUnits.sum();
    }

    /** Write units (WCU / on-demand write request units) consumed so far. */
    public double writeUnits() {
        return writeUnits.sum();
    }

    /** Of {@link #readUnits()} and {@link #writeUnits()}, how many were computed from item sizes rather than reported. */
    public double computedUnits() {
        return computedUnits.sum();
    }

    /** Calls made so far, by {@code Service.Operation} (for example {@code Secrets Manager.GetSecretValue}, {@code DynamoDb.Query}). */
    public Map<String, Long> calls() {
        Map<String, Long> copy = new java.util.TreeMap<>();
        calls.forEach((name, count) -> copy.put(name, count.get()));
        return copy;
    }

    /** Calls of one service so far, by its SDK name, case, spaces and underscores aside ({@code DynamoDb}, {@code SecretsManager}, {@code SQS}). */
    public long calls(String service) {
        return calls.entrySet().stream()
                .filter(e -> plain(e.getKey().substring(0, e.getKey().lastIndexOf('.'))).equals(plain(service)))
                .mapToLong(e -> e.getValue().get()).sum();
    }

    private static String plain(String name) {
        return name.replaceAll("[^A-Za-z0-9]", "").toLowerCase(java.util.Locale.ROOT);
    }

    /**
     * Units so far by operation and the kind of item (its partition key up to its first {@code #}, as
     * {@code PutItem BUDGET#}; batches by operation alone): where the units go.
     */
    public Map<String, Double> unitsByItem() {
        Map<String, Double> copy = new java.util.TreeMap<>();
        unitsByItem.forEach((name, units) -> copy.put(name, Math.round(units.sum() * 10) / 10.0));
        return copy;
    }

    public void reset() {
        readUnits.reset();
        writeUnits.reset();
        computedUnits.reset();
        calls.clear();
        unitsByItem.clear();
        sites.clear();
    }

    private void byItem(String operation, Map<String, AttributeValue> key, double units) {
        unitsByItem.computeIfAbsent(operation + kindOf(key), k -> new DoubleAdder()).add(units);
    }

    private static Map<String, AttributeValue> queried(Map<String, AttributeValue> values) {
        AttributeValue pk = values == null ? null : values.get(":pk");
        return pk == null ? null : Map.of("pk", pk);
    }

    /**
     * Units of a call over several items (a batch, a query's answer) by the kind of each item, in
     * proportion to what each would cost alone: a batch's answer reports one total.
     */
    private void byItems(String operation, List<Map.Entry<String, Double>> items, double units, Map<String, AttributeValue> otherwise) {
        Map<String, Double> shares = new java.util.HashMap<>();
        double sum = 0;
        for (Map.Entry<String, Double> item : items) {
            shares.merge(item.getKey(), item.getValue(), Double::sum);
            sum += item.getValue();
        }
        if (sum == 0) {
            byItem(operation, otherwise, units);
            return;
        }
        double scale = units / sum;
        shares.forEach((kind, share) -> unitsByItem.computeIfAbsent(operation + kind, k -> new DoubleAdder()).add(share * scale));
    }

    /**
     * An item's kind: its partition key up to its first {@code #}; for a snapshot's items also what
     * its sort key is ({@code ~seen}, {@code ~gone} markers; {@code u/g} a profile, {@code u/m} a
     * member, {@code u/t} a membership, {@code t} an index entry, {@code g} a team, {@code g/r}, {@code g/p}, {@code i}).
     */
    static String kindOf(Map<String, AttributeValue> key) {
        AttributeValue pk = key == null ? null : key.get("pk");
        if (pk == null || pk.s() == null) {
            return "";
        }
        String kind = " " + pk.s().substring(0, pk.s().indexOf('#') + 1);
        AttributeValue sk = key.get("sk");
        if (!kind.equals(" SNAPSHOT#") || sk == null || sk.s() == null) {
            return kind;
        }
        String s = sk.s();
        if (s.startsWith("~")) {
            return kind + " " + s.substring(0, Math.max(1, s.indexOf('/')));
        }
        String[] parts = s.split("/", 6); // o, ORG, kind, ID, part, ...
        String of = parts.length > 2 ? parts[2] : "?";
        return kind + " " + of + (parts.length > 4 && !of.equals("t") ? "/" + parts[4] : "");
    }

    @Override
    public SdkRequest modifyRequest(Context.ModifyRequest context, ExecutionAttributes attributes) {
        SdkRequest request = context.request();
        ReturnConsumedCapacity total = ReturnConsumedCapacity.TOTAL;
        if (request instanceof GetItemRequest r) {
            return r.toBuilder().returnConsumedCapacity(total).build();
        } else if (request instanceof PutItemRequest r) {
            return r.toBuilder().returnConsumedCapacity(total).build();
        } else if (request instanceof UpdateItemRequest r) {
            return r.toBuilder().returnConsumedCapacity(total).build();
        } else if (request instanceof DeleteItemRequest r) {
            return r.toBuilder().returnConsumedCapacity(total).build();
        } else if (request instanceof QueryRequest r) {
            return r.toBuilder().returnConsumedCapacity(total).build();
        } else if (request instanceof ScanRequest r) {
            return r.toBuilder().returnConsumedCapacity(total).build();
        } else if (request instanceof BatchGetItemRequest r) {
            return r.toBuilder().returnConsumedCapacity(total).build();
        } else if (request instanceof BatchWriteItemRequest r) {
            return r.toBuilder().returnConsumedCapacity(total).build();
        } else if (request instanceof TransactWriteItemsRequest r) {
            return r.toBuilder().returnConsumedCapacity(total).build();
        } else if (request instanceof TransactGetItemsRequest r) {
            return r.toBuilder().returnConsumedCapacity(total).build();
        }
        return request;
    }

    @Override
    public void afterExecution(Context.AfterExecution context, ExecutionAttributes attributes) {
        count(attributes);
        SdkRequest request = context.request();
        SdkResponse response = context.response();
        if (response instanceof GetItemResponse r) {
            GetItemRequest q = (GetItemRequest) request;
            byItem("GetItem", q.key(), settle(false, List.of(r.consumedCapacity()), () -> readUnits(List.of(size(r.item())), true, q.consistentRead())));
        } else if (response instanceof PutItemResponse r) {
            PutItemRequest q = (PutItemRequest) request;
            byItem("PutItem", q.item(), settle(true, List.of(r.consumedCapacity()), () -> writeUnits(size(q.item()))));
        } else if (response instanceof UpdateItemResponse r) {
            byItem("UpdateItem", ((UpdateItemRequest) request).key(),
                    settle(true, List.of(r.consumedCapacity()), () -> writeUnits(r.hasAttributes() ? size(r.attributes()) : 0)));
        } else if (response instanceof DeleteItemResponse r) {
            byItem("DeleteItem", ((DeleteItemRequest) request).key(),
                    settle(true, List.of(r.consumedCapacity()), () -> writeUnits(r.hasAttributes() ? size(r.attributes()) : 0)));
        } else if (response instanceof QueryResponse r) {
            QueryRequest q = (QueryRequest) request;
            Map<String, AttributeValue> partition = queried(q.expressionAttributeValues());
            double units = fleetWide.contains(partitionOf(partition)) ? shareOfFleetWide(r.items(), q.consistentRead())
                    : atLeastOneRead(settle(false, List.of(r.consumedCapacity()), () -> readUnits(List.of(sizes(r.items())), false, q.consistentRead())),
                    q.consistentRead());
            byItems("Query", r.items().stream().map(i -> Map.entry(kindOf(i), (double) size(i))).toList(), units, partition);
        } else if (response instanceof ScanResponse r) {
            ScanRequest q = (ScanRequest) request;
            byItem("Scan", null, settle(false, List.of(r.consumedCapacity()), () -> readUnits(List.of(sizes(r.items())), false, q.consistentRead())));
        } else if (response instanceof BatchGetItemResponse r) {
            // Each key asked for costs at least a unit, found or not.
            byItems("BatchGetItem", ((BatchGetItemRequest) request).requestItems().values().stream().flatMap(k -> k.keys().stream())
                            .map(k -> Map.entry(kindOf(k), 1.0)).toList(),
                    settle(false, r.consumedCapacity(), () -> batchGetUnits((BatchGetItemRequest) request, r)), null);
        } else if (response instanceof BatchWriteItemResponse r) {
            byItems("BatchWriteItem", ((BatchWriteItemRequest) request).requestItems().values().stream().flatMap(List::stream)
                            .map(w -> w.putRequest() != null ? Map.entry(kindOf(w.putRequest().item()), writeUnits(size(w.putRequest().item())))
                                    : Map.entry(kindOf(w.deleteRequest().key()) + " (delete)", 1.0)).toList(),
                    settle(true, r.consumedCapacity(), () -> batchWriteUnits((BatchWriteItemRequest) request, r)), null);
        } else if (response instanceof TransactWriteItemsResponse r) {
            byItem("TransactWriteItems", null, settle(true, r.consumedCapacity(), () -> 2 * ((TransactWriteItemsRequest) request).transactItems().stream()
                    .mapToDouble(item -> item.put() != null ? writeUnits(size(item.put().item())) : 1).sum()));
        } else if (response instanceof TransactGetItemsResponse r) {
            byItem("TransactGetItems", null, settle(false, r.consumedCapacity(), () -> 2.0 * r.responses().stream()
                    .mapToDouble(item -> readUnits(List.of(size(item.item())), true, true)).sum()));
        }
    }

    @Override
    public void onExecutionFailure(Context.FailedExecution context, ExecutionAttributes attributes) {
        count(attributes);
        // A condition that failed still costs the write (DynamoDB's guide, "Conditional writes"); the refusal reports no units.
        if (context.exception() instanceof ConditionalCheckFailedException) {
            SdkRequest request = context.request();
            double units = request instanceof PutItemRequest put ? writeUnits(size(put.item())) : 1;
            writeUnits.add(units);
            computedUnits.add(units);
        }
    }

    private void count(ExecutionAttributes attributes) {
        String service = attributes.getAttribute(SdkExecutionAttribute.SERVICE_NAME);
        String operation = attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME);
        calls.computeIfAbsent(service + "." + operation, name -> new AtomicLong()).incrementAndGet();
        if (TRACED) {
            // Profiling aid: which of Kitebridge's methods made the call (the first two frames of its own).
            String site = StackWalker.getInstance().walk(frames -> frames
                    .filter(f -> f.getClassName().startsWith("dev.kitebridge.") && !f.getClassName().startsWith("dev.kitebridge.bench."))
                    .limit(3).map(f -> f.getClassName().substring(f.getClassName().lastIndexOf('.') + 1) + "." + f.getMethodName())
                    .collect(java.util.stream.Collectors.joining("<")));
            sites.computeIfAbsent(operation + " " + site, name -> new AtomicLong()).incrementAndGet();
        }
    }

    private static final boolean TRACED = System.getenv("FLEET_PROBE_TRACE") != null;
    private final Map<String, AtomicLong> sites = new ConcurrentHashMap<>();

    /** With FLEET_PROBE_TRACE set: calls so far by operation and the Kitebridge methods that made them. */
    public Map<String, Long> callsBySite() {
        Map<String, Long> copy = new java.util.TreeMap<>();
        sites.forEach((name, count) -> copy.put(name, count.get()));
        return copy;
    }

    /**
     * Partitions every account's item sits in side by side, listed whole by a tick for the whole fleet (the accounts'
     * sync states): see {@link #fleetWide}.
     */
    private final java.util.Set<String> fleetWide = ConcurrentHashMap.newKeySet();

    /**
     * Counts a Query of this partition at its items' share of a fleet's listing, not as a Query of its own: DynamoDB
     * rounds a Query's items' summed size up to 4 KB once (per 1 MB page), so a listing of 1,000 accounts' items costs
     * each account its item's size in units, where a listing of this process's one account is rounded up to a whole
     * half unit. The units are computed from the items' sizes, unrounded.
     */
    public void fleetWide(String partition) {
        fleetWide.add(partition);
    }

    private static String partitionOf(Map<String, AttributeValue> key) {
        return key == null || key.get("pk") == null ? null : key.get("pk").s();
    }

    private double shareOfFleetWide(List<Map<String, AttributeValue>> items, Boolean consistent) {
        double units = items.stream().mapToLong(CapacityMeter::size).sum() / 4096.0 * (Boolean.TRUE.equals(consistent) ? 1 : 0.5);
        readUnits.add(units);
        computedUnits.add(units);
        return units;
    }

    /**
     * A Query that found nothing still costs a read (half eventually consistent), as a GetItem that finds nothing does:
     * dynalite reports 0 units for it (it rounds the items' summed size, 0, up to 4 KB).
     */
    private double atLeastOneRead(double units, Boolean consistent) {
        if (units > 0) {
            return units;
        }
        double least = Boolean.TRUE.equals(consistent) ? 1 : 0.5;
        readUnits.add(least);
        computedUnits.add(least);
        return least;
    }

    private double settle(boolean write, Collection<ConsumedCapacity> reported, java.util.function.DoubleSupplier computed) {
        double units = 0;
        boolean any = false;
        for (ConsumedCapacity capacity : reported) {
            if (capacity == null) {
                continue;
            }
            Double specific = write ? capacity.writeCapacityUnits() : capacity.readCapacityUnits();
            Double total = specific != null ? specific : capacity.capacityUnits();
            if (total != null) {
                units += total;
                any = true;
            }
        }
        if (!any) {
            units = computed.getAsDouble();
            computedUnits.add(units);
        }
        (write ? writeUnits : readUnits).add(units);
        return units;
    }

    private static double batchGetUnits(BatchGetItemRequest request, BatchGetItemResponse response) {
        double units = 0;
        for (Map.Entry<String, List<Map<String, AttributeValue>>> table : response.responses().entrySet()) {
            boolean consistent = Boolean.TRUE.equals(request.requestItems().get(table.getKey()).consistentRead());
            for (Map<String, AttributeValue> item : table.getValue()) {
                units += readUnits(List.of(size(item)), true, consistent);
            }
        }
        return units;
    }

    private static double batchWriteUnits(BatchWriteItemRequest request, BatchWriteItemResponse response) {
        double units = 0;
        for (Map.Entry<String, List<WriteRequest>> table : request.requestItems().entrySet()) {
            List<WriteRequest> unprocessed = response.unprocessedItems().getOrDefault(table.getKey(), List.of());
            for (WriteRequest write : table.getValue()) {
                if (unprocessed.contains(write)) {
                    continue;
                }
                units += write.putRequest() != null ? writeUnits(size(write.putRequest().item())) : 1;
            }
        }
        return units;
    }

    /** Write units of an item of {@code bytes}: 1 per KB, rounded up, at least 1. */
    static double writeUnits(long bytes) {
        return Math.max(1, Math.ceil(bytes / 1024.0));
    }

    /**
     * Read units: each item rounded to 4 KB ({@code eachItem}, GetItem and BatchGetItem), or their sum
     * rounded (Query, Scan); at least one unit; half of it eventually consistent.
     */
    static double readUnits(List<Long> sizes, boolean eachItem, Boolean consistent) {
        double blocks = eachItem
                ? sizes.stream().mapToDouble(size -> Math.max(1, Math.ceil(size / 4096.0))).sum()
                : Math.max(1, Math.ceil(sizes.stream().mapToLong(Long::longValue).sum() / 4096.0));
        return Boolean.TRUE.equals(consistent) ? blocks : blocks / 2;
    }

    private static long sizes(List<Map<String, AttributeValue>> items) {
        return items.stream().mapToLong(CapacityMeter::size).sum();
    }

    /** An item's size as DynamoDB counts it: names plus values. */
    public static long size(Map<String, AttributeValue> item) {
        if (item == null) {
            return 0;
        }
        long size = 0;
        for (Map.Entry<String, AttributeValue> attribute : item.entrySet()) {
            size += utf8(attribute.getKey()) + size(attribute.getValue());
        }
        return size;
    }

    private static long size(AttributeValue value) {
        if (value.s() != null) {
            return utf8(value.s());
        } else if (value.n() != null) {
            return number(value.n());
        } else if (value.b() != null) {
            return value.b().asByteArray().length;
        } else if (value.bool() != null || Boolean.TRUE.equals(value.nul())) {
            return 1;
        } else if (value.hasSs()) {
            return value.ss().stream().mapToLong(CapacityMeter::utf8).sum();
        } else if (value.hasNs()) {
            return value.ns().stream().mapToLong(CapacityMeter::number).sum();
        } else if (value.hasBs()) {
            return value.bs().stream().map(SdkBytes::asByteArray).mapToLong(bytes -> bytes.length).sum();
        } else if (value.hasL()) {
            return 3 + value.l().stream().mapToLong(element -> 1 + size(element)).sum();
        } else if (value.hasM()) {
            return 3 + value.m().size() + size(value.m());
        }
        return 0;
    }

    private static long utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8).length;
    }

    /** About 1 byte per two significant digits, plus 1. */
    private static long number(String n) {
        String digits = n.replaceAll("[^0-9]", "").replaceAll("^0+", "");
        return (long) Math.ceil(Math.max(1, digits.length()) / 2.0) + 1;
    }

    /** The classpath-registered form: the SDK instantiates it by its no-argument constructor; it counts into {@link #GLOBAL}. */
    public static final class Global implements ExecutionInterceptor {

        @Override
        public SdkRequest modifyRequest(Context.ModifyRequest context, ExecutionAttributes attributes) {
            return GLOBAL.modifyRequest(context, attributes);
        }

        @Override
        public void afterExecution(Context.AfterExecution context, ExecutionAttributes attributes) {
            GLOBAL.afterExecution(context, attributes);
        }

        @Override
        public void onExecutionFailure(Context.FailedExecution context, ExecutionAttributes attributes) {
            GLOBAL.onExecutionFailure(context, attributes);
        }
    }
}
