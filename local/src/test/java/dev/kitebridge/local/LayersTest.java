package dev.kitebridge.local;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.core.importer.Location;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.library.dependencies.SliceAssignment;
import com.tngtech.archunit.library.dependencies.SliceIdentifier;

/**
 * The package map of the handbook's "Layout", kept: no package imports a package that imports it back,
 * and arrows point down only, functions/local -> app -> api | state adapters -> services -> buildkite
 * -> contract/time (with metrics and logging beside them). Here because local sees every module's
 * main classes (local -> functions -> shared); tests and test support (shared's test-jar) are left out.
 */
@AnalyzeClasses(packages = "dev.kitebridge", importOptions = LayersTest.MainClassesOnly.class)
class LayersTest {

    private static final String[] SERVICES = {"dev.kitebridge.access..", "dev.kitebridge.accounts..", "dev.kitebridge.tenants..",
            "dev.kitebridge.proxy..", "dev.kitebridge.directory..", "dev.kitebridge.sync..", "dev.kitebridge.webhooks..",
            "dev.kitebridge.connect..", "dev.kitebridge.events.."};
    private static final String[] BOTTOM = {"dev.kitebridge.contract..", "dev.kitebridge.time..", "dev.kitebridge.metrics..",
            "dev.kitebridge.logging.."};

    /**
     * One slice per package (dev.kitebridge.buildkite and dev.kitebridge.buildkite.rest are two): none in a
     * cycle, the sandbox's included (a module of its own, a stand-in for Buildkite, no part of what is deployed).
     */
    @ArchTest
    static final ArchRule noPackageCycles = slices().assignedFrom(new SliceAssignment() {
        @Override
        public SliceIdentifier getIdentifierOf(JavaClass javaClass) {
            String name = javaClass.getPackageName();
            return name.startsWith("dev.kitebridge.") ? SliceIdentifier.of(name.substring("dev.kitebridge.".length())) : SliceIdentifier.ignore();
        }

        @Override
        public String getDescription() {
            return "every package of dev.kitebridge";
        }
    }).should().beFreeOfCycles();

    @ArchTest
    static final ArchRule arrowsPointDown = layeredArchitecture()
            .consideringOnlyDependenciesInLayers()
            .layer("Local").definedBy("dev.kitebridge.local..")
            .layer("Functions").definedBy("dev.kitebridge.functions..")
            .layer("App").definedBy("dev.kitebridge.app..")
            .layer("Api").definedBy("dev.kitebridge.api..")
            .layer("State").definedBy("dev.kitebridge.state..")
            .layer("Services").definedBy(SERVICES)
            .layer("Buildkite").definedBy("dev.kitebridge.buildkite..")
            .layer("Bottom").definedBy(BOTTOM)
            .layer("Sandbox").definedBy("dev.kitebridge.sandbox..")
            .whereLayer("Local").mayNotBeAccessedByAnyLayer()
            .whereLayer("Functions").mayOnlyBeAccessedByLayers("Local")
            .whereLayer("App").mayOnlyBeAccessedByLayers("Functions", "Local")
            // The HTTP side and the state adapters are both adapters over the services: neither imports the other.
            .whereLayer("Api").mayOnlyBeAccessedByLayers("App", "Functions", "Local")
            .whereLayer("State").mayOnlyBeAccessedByLayers("App", "Functions", "Local")
            .whereLayer("Services").mayOnlyBeAccessedByLayers("Api", "State", "App", "Functions", "Local")
            .whereLayer("Buildkite").mayOnlyBeAccessedByLayers("Services", "Api", "State", "App", "Functions", "Local")
            .whereLayer("Bottom").mayOnlyBeAccessedByLayers("Buildkite", "Services", "Api", "State", "App", "Functions", "Local")
            // The Buildkite sandbox is the dev server's stand-in, nothing the deployed code may use.
            .whereLayer("Sandbox").mayOnlyBeAccessedByLayers("Local");

    /** Every package is on the map: a new one must be given a layer here, not slip past the rule above. */
    @ArchTest
    static final ArchRule everyPackageHasALayer = classes().that().resideInAPackage("dev.kitebridge..")
            .should().resideInAnyPackage(concat(new String[] {"dev.kitebridge.local..", "dev.kitebridge.functions..",
                    "dev.kitebridge.app..", "dev.kitebridge.api..", "dev.kitebridge.state..", "dev.kitebridge.buildkite..",
                    "dev.kitebridge.sandbox.."}, SERVICES, BOTTOM));

    /** The contract and the clock import nothing of Kitebridge: everything stands on them. */
    @ArchTest
    static final ArchRule contractAndTimeStandAlone = noClasses().that().resideInAnyPackage("dev.kitebridge.contract..", "dev.kitebridge.time..")
            .should().dependOnClassesThat().resideOutsideOfPackages("dev.kitebridge.contract..", "dev.kitebridge.time..", "java..",
                    "com.fasterxml.jackson..");

    /** Sync writes the event log and webhooks read it (events/): webhooks never reach into sync. */
    @ArchTest
    static final ArchRule webhooksReadEventsNotSync = noClasses().that().resideInAPackage("dev.kitebridge.webhooks..")
            .should().dependOnClassesThat().resideInAPackage("dev.kitebridge.sync..");

    /** Accounts tell sync about links through their own port (accounts.AccountLinks), never sync's internals. */
    @ArchTest
    static final ArchRule accountsDoNotImportSync = noClasses().that().resideInAPackage("dev.kitebridge.accounts..")
            .should().dependOnClassesThat().resideInAPackage("dev.kitebridge.sync..");

    private static String[] concat(String[]... parts) {
        return java.util.Arrays.stream(parts).flatMap(java.util.Arrays::stream).toArray(String[]::new);
    }

    /** Main classes only: no test classes, in a module's folder or in shared's test-jar (which the dev server takes Dynalite from). */
    static final class MainClassesOnly implements ImportOption {
        @Override
        public boolean includes(Location location) {
            return !location.contains("/test-classes/") && !location.matches(java.util.regex.Pattern.compile(".*-tests\\.jar.*"));
        }
    }
}
