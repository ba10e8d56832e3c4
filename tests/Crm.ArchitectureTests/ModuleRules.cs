using System.Reflection;
using FluentValidation;
using MediatR;
using Microsoft.EntityFrameworkCore;
using NetArchTest.Rules;

namespace Crm.ArchitectureTests;

/// <summary>The rules of docs/architecture.md, as functions that list violations (so they can be tested on fixtures too).</summary>
internal static class ModuleRules
{
    public const string SharedKernel = "Crm.SharedKernel";
    public const string ModulePrefix = "Crm.Modules.";
    public const string ContractsSuffix = ".Contracts";

    /// <summary>Module assemblies composed into the host (copied beside the tests through the Crm.Api reference).</summary>
    public static IReadOnlyList<Assembly> ComposedModules() =>
        Directory.EnumerateFiles(AppContext.BaseDirectory, ModulePrefix + "*.dll")
            .Order(StringComparer.Ordinal)
            .Select(path => Assembly.LoadFrom(path))
            .ToList();

    /// <summary>
    /// A module references, among this solution's assemblies, only SharedKernel and other modules' Contracts;
    /// a Contracts assembly only SharedKernel and other Contracts. Never the host.
    /// </summary>
    public static IEnumerable<string> ReferenceViolations(string assembly, IEnumerable<string> references) =>
        references
            .Where(r => r.StartsWith("Crm.", StringComparison.Ordinal))
            .Where(r => r != SharedKernel && !(r.StartsWith(ModulePrefix, StringComparison.Ordinal) && r.EndsWith(ContractsSuffix, StringComparison.Ordinal)))
            .Select(r => $"{assembly} references {r}");

    /// <summary>Handlers, validators and DbContexts are implementation details: never public.</summary>
    public static IEnumerable<string> VisibilityViolations(Assembly assembly)
    {
        var types = Types.InAssembly(assembly);
        var checks = new (string What, ConditionList Rule)[]
        {
            ("request handler", types.That().ImplementInterface(typeof(IRequestHandler<,>)).Should().NotBePublic()),
            ("notification handler", types.That().ImplementInterface(typeof(INotificationHandler<>)).Should().NotBePublic()),
            ("validator", types.That().Inherit(typeof(AbstractValidator<>)).Should().NotBePublic()),
            ("DbContext", types.That().Inherit(typeof(DbContext)).Should().NotBePublic()),
        };
        return checks.SelectMany(c => (c.Rule.GetResult().FailingTypeNames ?? []).Select(t => $"public {c.What}: {t}"));
    }

    /// <summary>Contracts are plain types other modules compile against: no MediatR, no EF Core.</summary>
    public static IEnumerable<string> ContractsDependencyViolations(Assembly contracts) =>
        (Types.InAssembly(contracts).ShouldNot().HaveDependencyOnAny("MediatR", "Microsoft.EntityFrameworkCore").GetResult().FailingTypeNames ?? [])
        .Select(t => $"contract type {t} depends on MediatR or EF Core");
}
