/**
 * A deliberately violating miniature of Runnel's module layout (codecs, kernel, io.net, io.api,
 * cluster, bench below {@code io.runnel.archfixture}), test code only. It exists so that
 * {@code ModuleRulesCatchViolationsTest} can show the module rules fail on a violation; each class says
 * which rule it breaks. Never imported by the production check (that one imports no test classes).
 */
package io.runnel.archfixture;
