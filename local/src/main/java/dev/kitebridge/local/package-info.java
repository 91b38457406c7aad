/**
 * The local dev server: serves template.yaml's routes on localhost by invoking the handlers
 * in-process, and {@code invoke FUNCTION events/X.json} like {@code sam local invoke}. It arrives
 * with the first handlers; until then README's run command starts the sandbox.
 */
package dev.kitebridge.local;
