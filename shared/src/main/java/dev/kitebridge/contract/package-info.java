/**
 * What every layer speaks, at the bottom of the map: the contract's JSON ({@link dev.kitebridge.contract.ApiJson})
 * and its error ({@link dev.kitebridge.contract.ApiError}). Imports nothing of Kitebridge.
 */
package dev.kitebridge.contract;
