using System.Reflection;
using Crm.ArchitectureTests.Fixtures;
using Crm.SharedKernel.Errors;
using NetArchTest.Rules;

namespace Crm.ArchitectureTests;

internal sealed class ArchitectureTests
{
    private static readonly Assembly SharedKernel = typeof(ProblemException).Assembly;
    private static readonly Assembly Host = typeof(Program).Assembly;

    [Test]
    public void The_shared_kernel_depends_on_no_module_and_not_on_the_host()
    {
        var references = SharedKernel.GetReferencedAssemblies().Select(a => a.Name!).ToList();
        Assert.That(references, Has.None.StartsWith(ModuleRules.ModulePrefix).And.None.EqualTo(Host.GetName().Name));
    }

    [Test]
    public void The_host_only_composes_it_holds_no_handlers_validators_or_db_contexts()
    {
        var types = Types.InAssembly(Host);
        var offenders = new[]
        {
            types.That().ImplementInterface(typeof(MediatR.IRequestHandler<,>)).GetTypes(),
            types.That().Inherit(typeof(FluentValidation.AbstractValidator<>)).GetTypes(),
            types.That().Inherit(typeof(Microsoft.EntityFrameworkCore.DbContext)).GetTypes(),
        }.SelectMany(t => t).Select(t => t.FullName).ToList();
        Assert.That(offenders, Is.Empty);
    }

    [Test]
    public void Every_composed_module_keeps_to_the_module_rules()
    {
        var violations = new List<string>();
        foreach (var module in ModuleRules.ComposedModules())
        {
            var name = module.GetName().Name!;
            violations.AddRange(ModuleRules.ReferenceViolations(name, module.GetReferencedAssemblies().Select(a => a.Name!)));
            violations.AddRange(name.EndsWith(ModuleRules.ContractsSuffix, StringComparison.Ordinal)
                ? ModuleRules.ContractsDependencyViolations(module)
                : ModuleRules.VisibilityViolations(module));
        }

        Assert.That(violations, Is.Empty);
    }

    [Test]
    public void The_visibility_rule_catches_public_handlers_validators_and_db_contexts()
    {
        var violations = ModuleRules.VisibilityViolations(typeof(LeakyHandler).Assembly).ToList();
        Assert.That(violations, Has.Some.Contains(nameof(LeakyHandler)).And.Some.Contains(nameof(LeakyValidator)).And.Some.Contains(nameof(LeakyDbContext)));
    }

    [Test]
    public void The_contracts_rule_catches_a_dependency_on_mediatr()
    {
        Assert.That(ModuleRules.ContractsDependencyViolations(typeof(LeakyHandler).Assembly), Has.Some.Contains(nameof(LeakyRequest)));
    }

    [Test]
    public void The_reference_rule_allows_the_shared_kernel_and_contracts_only()
    {
        var violations = ModuleRules.ReferenceViolations(
            "Crm.Modules.Sales",
            ["System.Runtime", "MediatR", "Crm.SharedKernel", "Crm.Modules.Customers.Contracts", "Crm.Modules.Customers", "Crm.Api"]).ToList();
        Assert.That(violations, Is.EqualTo(new[] { "Crm.Modules.Sales references Crm.Modules.Customers", "Crm.Modules.Sales references Crm.Api" }));
    }
}
