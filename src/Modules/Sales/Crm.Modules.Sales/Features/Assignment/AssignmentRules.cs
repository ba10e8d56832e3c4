using System.Text.Json.Serialization;
using Crm.Modules.Identity.Contracts;
using Crm.Modules.Sales.Data;
using Crm.Modules.Sales.Domain;
using Crm.SharedKernel.Errors;
using Crm.SharedKernel.Http;
using Crm.SharedKernel.Time;
using FluentValidation;
using MediatR;
using Microsoft.EntityFrameworkCore;

namespace Crm.Modules.Sales.Features.Assignment;

/// <summary>A lead assignment rule.</summary>
/// <param name="Id">Rule id.</param>
/// <param name="Name">Name.</param>
/// <param name="Position">Evaluation order, ascending; the first matching rule wins.</param>
/// <param name="Active">Inactive rules are skipped.</param>
/// <param name="TerritoryId">Condition: the lead falls in this territory.</param>
/// <param name="Provinces">Condition: the lead's province is one of these (empty: any).</param>
/// <param name="Industries">Condition: the lead's industry is one of these (empty: any).</param>
/// <param name="Sources">Condition: the lead's source is one of these (empty: any).</param>
/// <param name="Strategy">territory, roundRobin or leastLoaded.</param>
/// <param name="UserIds">The users roundRobin and leastLoaded choose from.</param>
/// <param name="TeamId">roundRobin and leastLoaded also choose from this team's active sales reps, sub-teams included, after the listed users.</param>
/// <param name="Rotation">How many leads the rule has handed out by rotation.</param>
/// <param name="CreatedAt">Created.</param>
/// <param name="UpdatedAt">Last changed.</param>
internal sealed record AssignmentRuleResponse(
    Guid Id, string Name, int Position, bool Active, Guid? TerritoryId, IReadOnlyList<string> Provinces, IReadOnlyList<string> Industries,
    IReadOnlyList<string> Sources, AssignmentStrategy Strategy, IReadOnlyList<Guid> UserIds, Guid? TeamId, long Rotation, DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt)
{
    public static AssignmentRuleResponse From(AssignmentRule r) =>
        new(r.Id, r.Name, r.Position, r.Active, r.TerritoryId, r.Provinces, r.Industries, r.Sources, r.Strategy, r.UserIds, r.TeamId, r.Rotation, r.CreatedAt, r.UpdatedAt);
}

/// <summary>A rule with the row version that becomes its ETag.</summary>
internal sealed record VersionedAssignmentRule(AssignmentRuleResponse Rule, uint Version);

/// <summary>A rule's complete settings (create, and PUT which replaces them).</summary>
/// <param name="Name">Name (required).</param>
/// <param name="Position">Evaluation order, ascending, unique (required, 0 or more).</param>
/// <param name="Strategy">territory (round robin among the territory's users; needs territoryId), roundRobin or leastLoaded (need userIds, teamId or both).</param>
/// <param name="Active">Default true.</param>
/// <param name="TerritoryId">Condition: the lead falls in this territory.</param>
/// <param name="Provinces">Condition: the lead's province is one of these.</param>
/// <param name="Industries">Condition: the lead's industry is one of these.</param>
/// <param name="Sources">Condition: the lead's source is one of these.</param>
/// <param name="UserIds">The users roundRobin and leastLoaded choose from (active users), first, in this order.</param>
/// <param name="TeamId">
/// roundRobin and leastLoaded also choose from the active sales reps of this team and its sub-teams as they are when a
/// lead is assigned, by user id, after <c>userIds</c>. A team you may report on (your team subtree; any for administrators).
/// </param>
internal sealed record AssignmentRuleRequest(
    string? Name,
    int? Position,
    AssignmentStrategy? Strategy,
    bool? Active = null,
    Guid? TerritoryId = null,
    IReadOnlyList<string>? Provinces = null,
    IReadOnlyList<string>? Industries = null,
    IReadOnlyList<string>? Sources = null,
    IReadOnlyList<Guid>? UserIds = null,
    Guid? TeamId = null) : IRequest<VersionedAssignmentRule>
{
    [JsonIgnore]
    public Guid? Id { get; init; }

    [JsonIgnore]
    public IfMatch IfMatch { get; init; } = IfMatch.None;

    public AssignmentRuleSettings ToSettings() =>
        new(Name ?? string.Empty, Position ?? 0, Active ?? true, TerritoryId, Provinces ?? [], Industries ?? [], Sources ?? [], Strategy ?? AssignmentStrategy.RoundRobin, UserIds ?? [], TeamId);
}

internal sealed class AssignmentRuleRequestValidator : AbstractValidator<AssignmentRuleRequest>
{
    public AssignmentRuleRequestValidator()
    {
        RuleFor(r => r.Name).NotEmpty().MaximumLength(100);
        RuleFor(r => r.Position).NotNull().GreaterThanOrEqualTo(0);
        RuleFor(r => r.Strategy).NotNull().WithMessage("strategy is required: territory, roundRobin or leastLoaded.");
        RuleFor(r => r.TerritoryId).NotNull().When(r => r.Strategy == AssignmentStrategy.Territory)
            .WithMessage("The territory strategy needs a territoryId.");
        RuleFor(r => r.UserIds).NotEmpty().When(r => r.Strategy is AssignmentStrategy.RoundRobin or AssignmentStrategy.LeastLoaded && r.TeamId is null)
            .WithMessage("roundRobin and leastLoaded need userIds, a teamId or both.");
        RuleFor(r => r.UserIds).Empty().When(r => r.Strategy == AssignmentStrategy.Territory)
            .WithMessage("The territory strategy rotates among the territory's users; userIds apply to roundRobin and leastLoaded.");
        RuleFor(r => r.TeamId).Null().When(r => r.Strategy == AssignmentStrategy.Territory)
            .WithMessage("The territory strategy rotates among the territory's users; teamId applies to roundRobin and leastLoaded.");
        RuleFor(r => r.TeamId).NotEqual(Guid.Empty);
        RuleFor(r => r.UserIds).Must(u => u is null || u.Count <= 200).WithMessage("At most 200 users.");
        RuleForEach(r => r.Provinces).NotEmpty().MaximumLength(50);
        RuleForEach(r => r.Industries).NotEmpty().MaximumLength(100);
        RuleForEach(r => r.Sources).NotEmpty().MaximumLength(50);
    }
}

internal sealed record GetAssignmentRuleRequest(Guid Id) : IRequest<VersionedAssignmentRule>;

/// <summary>Rules are few and read as one ordered list: the list returns them all, by position.</summary>
internal sealed record ListAssignmentRulesRequest : IRequest<IReadOnlyList<AssignmentRuleResponse>>;

internal sealed record DeleteAssignmentRuleRequest(Guid Id, IfMatch IfMatch) : IRequest<Unit>;

internal sealed class AssignmentRuleHandlers(SalesDbContext db, IUserDirectory users, ITeamDirectory teams, IAccessScopeProvider access, TimeProvider time)
    : IRequestHandler<AssignmentRuleRequest, VersionedAssignmentRule>, IRequestHandler<GetAssignmentRuleRequest, VersionedAssignmentRule>,
      IRequestHandler<ListAssignmentRulesRequest, IReadOnlyList<AssignmentRuleResponse>>, IRequestHandler<DeleteAssignmentRuleRequest, Unit>
{
    public async Task<VersionedAssignmentRule> Handle(AssignmentRuleRequest request, CancellationToken cancellationToken)
    {
        var settings = request.ToSettings();
        await AssignmentProblems.EnsureActiveUsersAsync(users, settings.UserIds.ToList(), cancellationToken);
        if (settings.TeamId is { } teamId)
        {
            await AssignmentProblems.EnsureReportableTeamAsync(teams, await access.GetAsync(cancellationToken), teamId, cancellationToken);
        }

        if (settings.TerritoryId is { } territoryId && !await db.Territories.AnyAsync(t => t.Id == territoryId, cancellationToken))
        {
            throw AssignmentProblems.UnknownTerritory(territoryId);
        }

        if (await db.AssignmentRules.AnyAsync(r => r.Position == settings.Position && r.Id != request.Id, cancellationToken))
        {
            throw AssignmentProblems.DuplicateRulePosition(settings.Position);
        }

        var now = time.UtcNow();
        AssignmentRule rule;
        if (request.Id is { } id)
        {
            rule = await db.AssignmentRules.SingleOrDefaultAsync(r => r.Id == id, cancellationToken) ?? throw new NotFoundException("Assignment rule", id);
            request.IfMatch.EnsureMatches(rule.Version);
            rule.Update(settings, now);
        }
        else
        {
            rule = AssignmentRule.Create(settings, now);
            db.AssignmentRules.Add(rule);
        }

        await db.SaveChangesAsync(cancellationToken);
        return new VersionedAssignmentRule(AssignmentRuleResponse.From(rule), rule.Version);
    }

    public async Task<VersionedAssignmentRule> Handle(GetAssignmentRuleRequest request, CancellationToken cancellationToken)
    {
        var rule = await db.AssignmentRules.AsNoTracking().SingleOrDefaultAsync(r => r.Id == request.Id, cancellationToken)
            ?? throw new NotFoundException("Assignment rule", request.Id);
        return new VersionedAssignmentRule(AssignmentRuleResponse.From(rule), rule.Version);
    }

    public async Task<IReadOnlyList<AssignmentRuleResponse>> Handle(ListAssignmentRulesRequest request, CancellationToken cancellationToken) =>
        (await db.AssignmentRules.AsNoTracking().OrderBy(r => r.Position).ToListAsync(cancellationToken)).Select(AssignmentRuleResponse.From).ToList();

    public async Task<Unit> Handle(DeleteAssignmentRuleRequest request, CancellationToken cancellationToken)
    {
        var rule = await db.AssignmentRules.SingleOrDefaultAsync(r => r.Id == request.Id, cancellationToken) ?? throw new NotFoundException("Assignment rule", request.Id);
        request.IfMatch.EnsureMatches(rule.Version);
        db.AssignmentRules.Remove(rule);
        await db.SaveChangesAsync(cancellationToken);
        return Unit.Value;
    }
}
