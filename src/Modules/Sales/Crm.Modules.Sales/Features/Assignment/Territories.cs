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

/// <summary>A sales territory (领域划分).</summary>
/// <param name="Id">Territory id.</param>
/// <param name="Name">Name.</param>
/// <param name="Provinces">Provinces it covers (empty: any).</param>
/// <param name="Industries">Industries it covers (empty: any).</param>
/// <param name="UserIds">The reps who work its leads.</param>
/// <param name="CreatedAt">Created.</param>
/// <param name="UpdatedAt">Last changed.</param>
/// <param name="TeamIds">Teams whose active sales reps (sub-teams included) also work its leads, after userIds.</param>
internal sealed record TerritoryResponse(
    Guid Id, string Name, IReadOnlyList<string> Provinces, IReadOnlyList<string> Industries, IReadOnlyList<Guid> UserIds, DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt, IReadOnlyList<Guid> TeamIds)
{
    public static TerritoryResponse From(Territory t) => new(t.Id, t.Name, t.Provinces, t.Industries, t.UserIds, t.CreatedAt, t.UpdatedAt, t.TeamIds);
}

/// <summary>A territory with the row version that becomes its ETag.</summary>
internal sealed record VersionedTerritory(TerritoryResponse Territory, uint Version);

/// <summary>A territory's complete settings (create, and PUT which replaces them).</summary>
/// <param name="Name">Name (required, unique).</param>
/// <param name="Provinces">Provinces it covers (empty: any).</param>
/// <param name="Industries">Industries it covers (empty: any).</param>
/// <param name="UserIds">The reps who work its leads (active users), first, in this order.</param>
/// <param name="TeamIds">
/// Teams whose active sales reps, sub-teams included, also work its leads: read when a lead is assigned, after
/// <c>userIds</c>, by user id. Teams you may report on (your team subtree; any for administrators).
/// </param>
internal sealed record TerritoryRequest(
    string? Name, IReadOnlyList<string>? Provinces = null, IReadOnlyList<string>? Industries = null, IReadOnlyList<Guid>? UserIds = null,
    IReadOnlyList<Guid>? TeamIds = null)
    : IRequest<VersionedTerritory>
{
    /// <summary>Set for PUT; empty for create.</summary>
    [JsonIgnore]
    public Guid? Id { get; init; }

    [JsonIgnore]
    public IfMatch IfMatch { get; init; } = IfMatch.None;
}

internal sealed class TerritoryRequestValidator : AbstractValidator<TerritoryRequest>
{
    public TerritoryRequestValidator()
    {
        RuleFor(r => r.Name).NotEmpty().MaximumLength(100);
        RuleFor(r => r.Provinces).Must(p => p is null || p.Count <= 50).WithMessage("At most 50 provinces.");
        RuleForEach(r => r.Provinces).NotEmpty().MaximumLength(50);
        RuleFor(r => r.Industries).Must(p => p is null || p.Count <= 100).WithMessage("At most 100 industries.");
        RuleForEach(r => r.Industries).NotEmpty().MaximumLength(100);
        RuleFor(r => r.UserIds).Must(p => p is null || p.Count <= 200).WithMessage("At most 200 users.");
        RuleFor(r => r.TeamIds).Must(p => p is null || p.Count <= 50).WithMessage("At most 50 teams.");
        RuleForEach(r => r.TeamIds).NotEqual(Guid.Empty);
    }
}

internal sealed record GetTerritoryRequest(Guid Id) : IRequest<VersionedTerritory>;

/// <summary>Territories are few (a company has tens): the list returns them all, by name.</summary>
internal sealed record ListTerritoriesRequest : IRequest<IReadOnlyList<TerritoryResponse>>;

internal sealed record DeleteTerritoryRequest(Guid Id, IfMatch IfMatch) : IRequest<Unit>;

internal sealed class TerritoryHandlers(SalesDbContext db, IUserDirectory users, ITeamDirectory teams, IAccessScopeProvider access, TimeProvider time)
    : IRequestHandler<TerritoryRequest, VersionedTerritory>, IRequestHandler<GetTerritoryRequest, VersionedTerritory>,
      IRequestHandler<ListTerritoriesRequest, IReadOnlyList<TerritoryResponse>>, IRequestHandler<DeleteTerritoryRequest, Unit>
{
    public async Task<VersionedTerritory> Handle(TerritoryRequest request, CancellationToken cancellationToken)
    {
        var name = request.Name!.Trim();
        var userIds = request.UserIds ?? [];
        var teamIds = (request.TeamIds ?? []).Distinct().ToList();
        await AssignmentProblems.EnsureActiveUsersAsync(users, userIds, cancellationToken);
        if (teamIds.Count > 0)
        {
            var scope = await access.GetAsync(cancellationToken);
            foreach (var teamId in teamIds)
            {
                await AssignmentProblems.EnsureReportableTeamAsync(teams, scope, teamId, cancellationToken);
            }
        }

        if (await db.Territories.AnyAsync(t => t.Name == name && t.Id != request.Id, cancellationToken))
        {
            throw AssignmentProblems.DuplicateTerritoryName(name);
        }

        var now = time.UtcNow();
        Territory territory;
        if (request.Id is { } id)
        {
            territory = await db.Territories.SingleOrDefaultAsync(t => t.Id == id, cancellationToken) ?? throw new NotFoundException("Territory", id);
            request.IfMatch.EnsureMatches(territory.Version);
            territory.Update(name, request.Provinces ?? [], request.Industries ?? [], userIds, teamIds, now);
        }
        else
        {
            territory = Territory.Create(name, request.Provinces ?? [], request.Industries ?? [], userIds, teamIds, now);
            db.Territories.Add(territory);
        }

        await db.SaveChangesAsync(cancellationToken);
        return new VersionedTerritory(TerritoryResponse.From(territory), territory.Version);
    }

    public async Task<VersionedTerritory> Handle(GetTerritoryRequest request, CancellationToken cancellationToken)
    {
        var territory = await db.Territories.AsNoTracking().SingleOrDefaultAsync(t => t.Id == request.Id, cancellationToken)
            ?? throw new NotFoundException("Territory", request.Id);
        return new VersionedTerritory(TerritoryResponse.From(territory), territory.Version);
    }

    public async Task<IReadOnlyList<TerritoryResponse>> Handle(ListTerritoriesRequest request, CancellationToken cancellationToken) =>
        (await db.Territories.AsNoTracking().OrderBy(t => t.Name).ToListAsync(cancellationToken)).Select(TerritoryResponse.From).ToList();

    public async Task<Unit> Handle(DeleteTerritoryRequest request, CancellationToken cancellationToken)
    {
        var territory = await db.Territories.SingleOrDefaultAsync(t => t.Id == request.Id, cancellationToken) ?? throw new NotFoundException("Territory", request.Id);
        request.IfMatch.EnsureMatches(territory.Version);
        if (await db.AssignmentRules.AnyAsync(r => r.TerritoryId == territory.Id, cancellationToken))
        {
            throw AssignmentProblems.TerritoryInUse(territory.Id);
        }

        db.Territories.Remove(territory);
        await db.SaveChangesAsync(cancellationToken);
        return Unit.Value;
    }
}
