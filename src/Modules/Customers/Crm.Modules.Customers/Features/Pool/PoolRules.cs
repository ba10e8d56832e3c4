using System.Security.Claims;
using Crm.Modules.Customers.Data;
using Crm.Modules.Customers.Domain;
using Crm.Modules.Identity.Contracts;
using Crm.SharedKernel.Errors;
using Crm.SharedKernel.Time;
using FluentValidation;
using MediatR;
using Microsoft.EntityFrameworkCore;

namespace Crm.Modules.Customers.Features.Pool;

/// <summary>The pool rules of one tier.</summary>
/// <param name="Tier">The tier (null: the default for every tier without its own rule).</param>
/// <param name="MaxOwnedPerRep">Most customers of this tier one rep may own before claims are refused (null: no limit).</param>
/// <param name="ReclaimAfterDaysWithoutFollowUp">Owned customers without a follow-up for this many days go back to the pool (null: never).</param>
/// <param name="ReclaimAfterDaysWithoutWonDeal">Owned customers whose newest won deal, and whose taking-over by their current owner, are older than this many days go back to the pool (null: never).</param>
internal sealed record PoolRuleDto(string? Tier, int? MaxOwnedPerRep, int? ReclaimAfterDaysWithoutFollowUp, int? ReclaimAfterDaysWithoutWonDeal);

/// <summary>Every pool rule.</summary>
/// <param name="Rules">One per tier, at most one without tier (the default).</param>
internal sealed record PoolRulesDto(IReadOnlyList<PoolRuleDto> Rules);

internal sealed record GetPoolRulesRequest(bool CallerIsAdmin) : IRequest<PoolRulesDto>;

/// <summary>Replace every pool rule (administrators).</summary>
/// <param name="Rules">The new rules: one per tier, at most one default (tier null); limits positive or null.</param>
internal sealed record PutPoolRulesRequest(IReadOnlyList<PoolRuleDto>? Rules) : IRequest<PoolRulesDto>
{
    [System.Text.Json.Serialization.JsonIgnore]
    public bool CallerIsAdmin { get; init; }
}

internal sealed class PutPoolRulesValidator : AbstractValidator<PutPoolRulesRequest>
{
    public const int MaxRules = 100;

    public PutPoolRulesValidator()
    {
        RuleFor(r => r.Rules).NotNull().Must(r => r is null || r.Count <= MaxRules).WithMessage($"At most {MaxRules} rules.");
        RuleFor(r => r.Rules).Must(r => r is null || r.Select(x => string.IsNullOrWhiteSpace(x.Tier) ? null : x.Tier.Trim()).Distinct().Count() == r.Count)
            .WithMessage("One rule per tier, and at most one default rule (tier null).");
        RuleForEach(r => r.Rules).ChildRules(rule =>
        {
            rule.RuleFor(x => x.Tier).MaximumLength(20);
            rule.RuleFor(x => x.MaxOwnedPerRep).GreaterThan(0);
            rule.RuleFor(x => x.ReclaimAfterDaysWithoutFollowUp).InclusiveBetween(1, 3650);
            rule.RuleFor(x => x.ReclaimAfterDaysWithoutWonDeal).InclusiveBetween(1, 3650);
        });
    }
}

internal static class PoolRuleLookup
{
    /// <summary>The tier's own rule, else the default rule, else none.</summary>
    public static async Task<PoolRule?> ForTierAsync(CustomersDbContext db, string? tier, CancellationToken ct)
    {
        var rules = await db.PoolRules.AsNoTracking().Where(r => r.Tier == null || r.Tier == tier).ToListAsync(ct);
        return rules.FirstOrDefault(r => tier is not null && r.Tier == tier) ?? rules.FirstOrDefault(r => r.Tier == null);
    }

    public static bool IsAdmin(ClaimsPrincipal user) => user.IsInRole(Roles.Admin);

    public static ProblemException AdminsOnly() =>
        new(403, ProblemTypes.Forbidden, "Forbidden", "Only administrators read and change the pool rules.");

    public static async Task<PoolRulesDto> ReadAsync(CustomersDbContext db, CancellationToken ct) =>
        new(await db.PoolRules.AsNoTracking().OrderBy(r => r.Tier == null ? 0 : 1).ThenBy(r => r.Tier)
            .Select(r => new PoolRuleDto(r.Tier, r.MaxOwnedPerRep, r.ReclaimAfterDaysWithoutFollowUp, r.ReclaimAfterDaysWithoutWonDeal))
            .ToListAsync(ct));
}

internal sealed class GetPoolRulesHandler(CustomersDbContext db) : IRequestHandler<GetPoolRulesRequest, PoolRulesDto>
{
    public Task<PoolRulesDto> Handle(GetPoolRulesRequest request, CancellationToken cancellationToken) =>
        request.CallerIsAdmin ? PoolRuleLookup.ReadAsync(db, cancellationToken) : throw PoolRuleLookup.AdminsOnly();
}

internal sealed class PutPoolRulesHandler(CustomersDbContext db, TimeProvider time) : IRequestHandler<PutPoolRulesRequest, PoolRulesDto>
{
    public async Task<PoolRulesDto> Handle(PutPoolRulesRequest request, CancellationToken cancellationToken)
    {
        if (!request.CallerIsAdmin)
        {
            throw PoolRuleLookup.AdminsOnly();
        }

        var now = time.UtcNow();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await db.PoolRules.ExecuteDeleteAsync(cancellationToken);
        db.PoolRules.AddRange(request.Rules!.Select(r => PoolRule.Create(r.Tier, r.MaxOwnedPerRep, r.ReclaimAfterDaysWithoutFollowUp, r.ReclaimAfterDaysWithoutWonDeal, now)));
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return await PoolRuleLookup.ReadAsync(db, cancellationToken);
    }
}
