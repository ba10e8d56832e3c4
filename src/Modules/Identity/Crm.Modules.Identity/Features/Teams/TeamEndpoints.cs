using Crm.Modules.Identity.Contracts;
using Crm.SharedKernel.Http;
using Crm.SharedKernel.Paging;
using Crm.SharedKernel.Security;
using MediatR;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Crm.Modules.Identity.Features.Teams;

/// <summary>Query string of <c>GET /api/v1/teams</c>.</summary>
/// <param name="Limit">Page size, 1 to 500 (default 50).</param>
/// <param name="Cursor">The nextCursor of the previous page.</param>
/// <param name="Sort">name or createdAt; prefix - for descending.</param>
/// <param name="IncludeTotal">Also count all matching teams.</param>
/// <param name="ParentId">Only the direct children of this team.</param>
internal sealed record ListTeamsQuery(int? Limit, string? Cursor, string? Sort, bool? IncludeTotal, Guid? ParentId);

internal static class TeamEndpoints
{
    public static void Map(IEndpointRouteBuilder api)
    {
        var teams = api.MapGroup("/teams").WithTags("Teams");

        teams.MapGet("/", async Task<Ok<Page<TeamResponse>>> ([AsParameters] ListTeamsQuery query, IMediator mediator, CancellationToken ct) =>
                TypedResults.Ok(await mediator.Send(new ListTeamsRequest(new PageRequest(query.Limit, query.Cursor, query.IncludeTotal ?? false), query.Sort, query.ParentId), ct)))
            .RequirePermission(Permissions.UsersRead)
            .WithName("ListTeams")
            .WithSummary("List teams")
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status403Forbidden);

        teams.MapGet("/{id:guid}", async Task<Ok<TeamResponse>> (Guid id, IMediator mediator, HttpResponse response, CancellationToken ct) =>
                Versioned(response, await mediator.Send(new GetTeamRequest(id), ct)))
            .RequirePermission(Permissions.UsersRead)
            .ReturnsETag()
            .WithName("GetTeam")
            .WithSummary("Get a team")
            .ProducesProblems(StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound);

        teams.MapPost("/", async Task<Created<TeamResponse>> (CreateTeamRequest request, IMediator mediator, HttpResponse response, CancellationToken ct) =>
            {
                var created = await mediator.Send(request, ct);
                return response.CreatedWithETag($"/api/v1/teams/{created.Team.Id}", created.Team, created.Version);
            })
            .RequirePermission(Permissions.TeamsWrite)
            .ReturnsETag()
            .WithName("CreateTeam")
            .WithSummary("Create a team (company, department under a company, group under a department)")
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status403Forbidden, StatusCodes.Status422UnprocessableEntity);

        teams.MapPatch("/{id:guid}", async Task<Ok<TeamResponse>> (Guid id, UpdateTeamRequest request, IMediator mediator, HttpRequest http, CancellationToken ct) =>
                Versioned(http.HttpContext.Response, await mediator.Send(request with { Id = id, IfMatch = IfMatch.From(http) }, ct)))
            .Accepts<UpdateTeamRequest>("application/merge-patch+json", "application/json")
            .RequirePermission(Permissions.TeamsWrite)
            .HonoursIfMatch()
            .ReturnsETag()
            .WithName("UpdateTeam")
            .WithSummary("Rename or move a team (JSON merge patch; honours If-Match)")
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound, StatusCodes.Status412PreconditionFailed, StatusCodes.Status422UnprocessableEntity);
    }

    private static Ok<TeamResponse> Versioned(HttpResponse response, VersionedTeam team) => response.OkWithETag(team.Team, team.Version);
}
