using System.Linq.Expressions;
using System.Text.Json.Serialization;
using Crm.Modules.Identity.Auth;
using Crm.Modules.Identity.Data;
using Crm.Modules.Identity.Domain;
using Crm.SharedKernel.Errors;
using Crm.SharedKernel.Http;
using Crm.SharedKernel.Paging;
using Crm.SharedKernel.Time;
using FluentValidation;
using MediatR;
using Microsoft.EntityFrameworkCore;

namespace Crm.Modules.Identity.Features.Teams;

/// <summary>A team of the organisation tree.</summary>
/// <param name="Id">Team id.</param>
/// <param name="Name">Team name, e.g. 华东销售组.</param>
/// <param name="Kind">company, department or group.</param>
/// <param name="ParentId">The enclosing team (a department's company, a group's department).</param>
/// <param name="CreatedAt">When the team was created.</param>
internal sealed record TeamResponse(Guid Id, string Name, TeamKind Kind, Guid? ParentId, DateTimeOffset CreatedAt);

internal sealed record VersionedTeam(TeamResponse Team, uint Version);

internal static class TeamProjection
{
    public static readonly Expression<Func<Team, TeamResponse>> ToResponse = t => new TeamResponse(t.Id, t.Name, t.Kind, t.ParentId, t.CreatedAt);

    public static readonly SortDefinition<Team, TeamResponse> Sort = new SortDefinition<Team, TeamResponse>(t => t.Id, t => t.Id, "name")
        .Add("name", t => t.Name, t => t.Name)
        .Add("createdAt", t => t.CreatedAt, t => t.CreatedAt);

    public static VersionedTeam From(Team team) => new(new TeamResponse(team.Id, team.Name, team.Kind, team.ParentId, team.CreatedAt), team.Version);

    /// <summary>A company has no parent; a department sits under a company, a group under a department; no cycles.</summary>
    public static async Task EnsureValidParentAsync(IdentityDbContext db, Guid? teamId, TeamKind kind, Guid? parentId, CancellationToken ct)
    {
        var expected = Team.ParentKindOf(kind);
        if (parentId is null)
        {
            if (expected is not null)
            {
                throw InvalidParent($"A {Name(kind)} needs a parent {Name(expected.Value)}.");
            }

            return;
        }

        var parent = await db.Teams.AsNoTracking().SingleOrDefaultAsync(t => t.Id == parentId, ct)
            ?? throw IdentityProblems.UnknownReference("Team", parentId.Value);
        if (parent.Kind != expected)
        {
            throw InvalidParent(expected is null
                ? $"A {Name(kind)} has no parent."
                : $"A {Name(kind)} must sit under a {Name(expected.Value)}, not a {Name(parent.Kind)}.");
        }

        if (teamId is not null && parent.Id == teamId)
        {
            throw InvalidParent("A team cannot be its own parent.");
        }
    }

    private static string Name(TeamKind kind) => kind.ToString().ToLowerInvariant();

    private static BusinessRuleException InvalidParent(string detail) =>
        new(IdentityProblems.InvalidTeamParentType, "Invalid team parent", detail);
}

/// <summary>Create a team.</summary>
/// <param name="Name">Team name.</param>
/// <param name="Kind">company, department or group.</param>
/// <param name="ParentId">Required for a department (its company) and a group (its department).</param>
internal sealed record CreateTeamRequest(string Name, TeamKind Kind, Guid? ParentId = null) : IRequest<VersionedTeam>;

internal sealed class CreateTeamValidator : AbstractValidator<CreateTeamRequest>
{
    public CreateTeamValidator()
    {
        RuleFor(r => r.Name).NotEmpty().MaximumLength(100);
        RuleFor(r => r.Kind).IsInEnum();
    }
}

internal sealed class CreateTeamHandler(IdentityDbContext db, TeamSubtreeCache subtrees, TimeProvider time) : IRequestHandler<CreateTeamRequest, VersionedTeam>
{
    public async Task<VersionedTeam> Handle(CreateTeamRequest request, CancellationToken cancellationToken)
    {
        await TeamProjection.EnsureValidParentAsync(db, null, request.Kind, request.ParentId, cancellationToken);
        var team = Team.Create(request.Name, request.Kind, request.ParentId, time.UtcNow());
        db.Teams.Add(team);
        await db.SaveChangesAsync(cancellationToken);
        // A new sub-team widens its ancestors' managers' team filters and reports at once.
        subtrees.OrganisationChanged();
        return TeamProjection.From(team);
    }
}

/// <summary>A merge patch of a team: rename it, or move it under another parent of the right kind.</summary>
/// <param name="Name">Team name.</param>
/// <param name="ParentId">The new parent.</param>
internal sealed record UpdateTeamRequest(Optional<string> Name, Optional<Guid?> ParentId) : IRequest<VersionedTeam>
{
    [JsonIgnore]
    public Guid Id { get; init; }

    [JsonIgnore]
    public IfMatch IfMatch { get; init; } = IfMatch.None;
}

internal sealed class UpdateTeamValidator : AbstractValidator<UpdateTeamRequest>
{
    public UpdateTeamValidator() =>
        RuleFor(r => r.Name.Value).NotEmpty().MaximumLength(100).When(r => r.Name.HasValue).OverridePropertyName("name");
}

internal sealed class UpdateTeamHandler(IdentityDbContext db, TeamSubtreeCache subtrees) : IRequestHandler<UpdateTeamRequest, VersionedTeam>
{
    public async Task<VersionedTeam> Handle(UpdateTeamRequest request, CancellationToken cancellationToken)
    {
        var team = await db.Teams.SingleOrDefaultAsync(t => t.Id == request.Id, cancellationToken)
            ?? throw new NotFoundException("Team", request.Id);
        request.IfMatch.EnsureMatches(team.Version);
        var moved = request.ParentId.HasValue && request.ParentId.Value != team.ParentId;
        if (moved)
        {
            await TeamProjection.EnsureValidParentAsync(db, team.Id, team.Kind, request.ParentId.Value, cancellationToken);
            team.MoveUnder(request.ParentId.Value);
        }

        if (request.Name.HasValue)
        {
            team.Rename(request.Name.Value);
        }

        await db.SaveChangesAsync(cancellationToken);
        if (moved)
        {
            subtrees.OrganisationChanged();
        }

        return TeamProjection.From(team);
    }
}

internal sealed record GetTeamRequest(Guid Id) : IRequest<VersionedTeam>;

internal sealed class GetTeamHandler(IdentityDbContext db) : IRequestHandler<GetTeamRequest, VersionedTeam>
{
    public async Task<VersionedTeam> Handle(GetTeamRequest request, CancellationToken cancellationToken)
    {
        var team = await db.Teams.AsNoTracking().SingleOrDefaultAsync(t => t.Id == request.Id, cancellationToken)
            ?? throw new NotFoundException("Team", request.Id);
        return TeamProjection.From(team);
    }
}

internal sealed record ListTeamsRequest(PageRequest Page, string? Sort, Guid? ParentId) : IRequest<Page<TeamResponse>>;

internal sealed class ListTeamsHandler(IdentityDbContext db) : IRequestHandler<ListTeamsRequest, Page<TeamResponse>>
{
    public Task<Page<TeamResponse>> Handle(ListTeamsRequest request, CancellationToken cancellationToken)
    {
        var teams = db.Teams.AsNoTracking();
        if (request.ParentId is { } parent)
        {
            teams = teams.Where(t => t.ParentId == parent);
        }

        return teams.ToPageAsync(TeamProjection.ToResponse, TeamProjection.Sort.Parse(request.Sort), request.Page, cancellationToken);
    }
}
