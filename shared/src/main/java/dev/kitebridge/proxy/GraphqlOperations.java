package dev.kitebridge.proxy;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The operations a GraphQL document defines, read by GraphQL's lexical grammar (comments, strings
 * and block strings, commas, several definitions), to tell whether sending it again after a lost
 * answer could write twice. A small lexer rather than graphql-java's parser, which would add about
 * 4 MB (graphql-java, ANTLR's runtime, java-dataloader) to every API package for one question;
 * what it cannot follow it counts as a write, and Buildkite validates the rest.
 */
final class GraphqlOperations {

    enum Type { QUERY, MUTATION, SUBSCRIPTION }

    /** An operation: its type, and its name (null for an anonymous one). */
    record Operation(Type type, String name) {}

    private static final java.util.Set<String> DEFINITION_STARTS = java.util.Set.of("{", "query", "mutation", "subscription", "fragment");

    private GraphqlOperations() {}

    /**
     * Whether a retry could repeat a write: the document defines a mutation (or a subscription)
     * anywhere, whichever operation {@code operationName} picks, or it cannot be read.
     */
    static boolean mayWrite(String document) {
        return of(document).map(operations -> operations.stream().anyMatch(o -> o.type() != Type.QUERY)).orElse(true);
    }

    /** The document's operations in order (fragments left out); empty if it is not an executable document this lexer can follow. */
    static Optional<List<Operation>> of(String document) {
        List<String> tokens = tokens(document);
        if (tokens == null) {
            return Optional.empty();
        }
        List<Operation> operations = new ArrayList<>();
        int i = 0;
        while (i < tokens.size()) {
            // A definition starts here: `{` (a query's shorthand), an operation type, or `fragment`.
            String token = tokens.get(i);
            if (!DEFINITION_STARTS.contains(token)) {
                return Optional.empty();
            }
            if (!token.equals("fragment")) {
                Type type = token.equals("mutation") ? Type.MUTATION : token.equals("subscription") ? Type.SUBSCRIPTION : Type.QUERY;
                boolean named = !token.equals("{") && i + 1 < tokens.size() && isName(tokens.get(i + 1));
                operations.add(new Operation(type, named ? tokens.get(i + 1) : null));
            }
            // It runs to the `}` that closes its selection set (objects in arguments and defaults sit inside brackets too).
            int open = 0;
            do {
                switch (tokens.get(i)) {
                    case "{", "(", "[" -> open++;
                    case "}", ")", "]" -> open--;
                    default -> { }
                }
                i++;
            } while (i < tokens.size() && !(open == 0 && tokens.get(i - 1).equals("}")) && open >= 0);
            if (open != 0 || !tokens.get(i - 1).equals("}")) {
                return Optional.empty();
            }
        }
        return i == 0 ? Optional.empty() : Optional.of(operations);
    }

    private static boolean isName(String token) {
        char first = token.charAt(0);
        return first == '_' || Character.isLetter(first) && first < 128;
    }

    /** The document's tokens, strings as one token each and ignored tokens dropped; null where it is not GraphQL's lexical grammar. */
    private static List<String> tokens(String text) {
        List<String> tokens = new ArrayList<>();
        int i = 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == ',' || c == '\uFEFF') {
                i++;
            } else if (c == '#') {
                while (i < text.length() && text.charAt(i) != '\n' && text.charAt(i) != '\r') {
                    i++;
                }
            } else if (text.startsWith("\"\"\"", i)) {
                int end = i + 3;
                while (end < text.length() && !text.startsWith("\"\"\"", end)) {
                    end += text.startsWith("\\\"\"\"", end) ? 4 : 1;
                }
                if (end >= text.length()) {
                    return null;
                }
                tokens.add("\"");
                i = end + 3;
            } else if (c == '"') {
                int end = i + 1;
                while (end < text.length() && text.charAt(end) != '"') {
                    char s = text.charAt(end);
                    if (s == '\n' || s == '\r') {
                        return null;
                    }
                    end += s == '\\' ? 2 : 1;
                }
                if (end >= text.length()) {
                    return null;
                }
                tokens.add("\"");
                i = end + 1;
            } else if (isNameStart(c)) {
                int end = i;
                while (end < text.length() && (isNameStart(text.charAt(end)) || isDigit(text.charAt(end)))) {
                    end++;
                }
                tokens.add(text.substring(i, end));
                i = end;
            } else if (c == '-' || isDigit(c)) {
                int end = i + 1;
                while (end < text.length() && (isDigit(text.charAt(end)) || "+-.eE".indexOf(text.charAt(end)) >= 0)) {
                    end++;
                }
                tokens.add("0");
                i = end;
            } else if ("!$&()[]{}:=@|.".indexOf(c) >= 0) {
                tokens.add(String.valueOf(c));
                i++;
            } else {
                return null;
            }
        }
        return tokens;
    }

    private static boolean isNameStart(char c) {
        return c == '_' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }
}
