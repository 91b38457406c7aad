/**
 * The Lambda handlers: one package per function (users, groups, roles, organizations, me, proxy,
 * accounts, authorizer, sync). Each handler only translates an event into a call on a service of
 * the shared module and the answer back. The first handlers arrive with the directory read issue.
 */
package dev.kitebridge.functions;
