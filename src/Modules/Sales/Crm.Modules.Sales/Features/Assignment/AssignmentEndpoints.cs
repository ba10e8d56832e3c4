using Crm.Modules.Identity.Contracts;
using Crm.SharedKernel.Http;
using Crm.SharedKernel.Security;
using MediatR;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Crm.Modules.Sales.Features.Assignment;

internal static class AssignmentEndpoints
{
    public static void MapAssignmentEndpoints(this IEndpointRouteBuilder api)
    {
        var territories = api.MapGroup("/sales/territories").WithTags("Territories");

        territories.MapGet("/", async Task<Ok<IReadOnlyList<TerritoryResponse>>> (IMediator mediator, CancellationToken ct) =>
                TypedResults.Ok(await mediator.Send(new ListTerritoriesRequest(), ct)))
            .RequirePermission(Permissions.SalesRead)
            .WithName("ListTerritories")
            .WithSummary("List all territories by name")
            .ProducesProblems(StatusCodes.Status403Forbidden);

        territories.MapGet("/{id:guid}", async Task<Ok<TerritoryResponse>> (Guid id, IMediator mediator, HttpResponse response, CancellationToken ct) =>
            {
                var found = await mediator.Send(new GetTerritoryRequest(id), ct);
                return response.OkWithETag(found.Territory, found.Version);
            })
            .RequirePermission(Permissions.SalesRead)
            .ReturnsETag()
            .WithName("GetTerritory")
            .WithSummary("Get a territory")
            .ProducesProblems(StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound);

        territories.MapPost("/", async Task<Created<TerritoryResponse>> (TerritoryRequest request, IMediator mediator, HttpResponse response, CancellationToken ct) =>
            {
                var created = await mediator.Send(request, ct);
                return response.CreatedWithETag($"/api/v1/sales/territories/{created.Territory.Id}", created.Territory, created.Version);
            })
            .RequirePermission(Permissions.SalesManage)
            .ReturnsETag()
            .WithName("CreateTerritory")
            .WithSummary("Create a territory (managers and administrators)")
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status403Forbidden, StatusCodes.Status409Conflict, StatusCodes.Status422UnprocessableEntity);

        territories.MapPut("/{id:guid}", async Task<Ok<TerritoryResponse>> (Guid id, TerritoryRequest request, IMediator mediator, HttpRequest http, CancellationToken ct) =>
            {
                var updated = await mediator.Send(request with { Id = id, IfMatch = IfMatch.From(http) }, ct);
                return http.HttpContext.Response.OkWithETag(updated.Territory, updated.Version);
            })
            .RequirePermission(Permissions.SalesManage)
            .HonoursIfMatch()
            .ReturnsETag()
            .WithName("ReplaceTerritory")
            .WithSummary("Replace a territory's settings (managers and administrators; honours If-Match)")
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound, StatusCodes.Status409Conflict, StatusCodes.Status412PreconditionFailed, StatusCodes.Status422UnprocessableEntity);

        territories.MapDelete("/{id:guid}", async Task<NoContent> (Guid id, IMediator mediator, HttpRequest http, CancellationToken ct) =>
            {
                await mediator.Send(new DeleteTerritoryRequest(id, IfMatch.From(http)), ct);
                return TypedResults.NoContent();
            })
            .RequirePermission(Permissions.SalesManage)
            .HonoursIfMatch()
            .WithName("DeleteTerritory")
            .WithSummary("Delete a territory no rule uses (managers and administrators; honours If-Match)")
            .ProducesProblems(StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound, StatusCodes.Status409Conflict, StatusCodes.Status412PreconditionFailed);

        var rules = api.MapGroup("/sales/assignment-rules").WithTags("Lead assignment rules");

        rules.MapGet("/", async Task<Ok<IReadOnlyList<AssignmentRuleResponse>>> (IMediator mediator, CancellationToken ct) =>
                TypedResults.Ok(await mediator.Send(new ListAssignmentRulesRequest(), ct)))
            .RequirePermission(Permissions.SalesRead)
            .WithName("ListAssignmentRules")
            .WithSummary("List all lead assignment rules in evaluation order")
            .ProducesProblems(StatusCodes.Status403Forbidden);

        rules.MapGet("/{id:guid}", async Task<Ok<AssignmentRuleResponse>> (Guid id, IMediator mediator, HttpResponse response, CancellationToken ct) =>
            {
                var found = await mediator.Send(new GetAssignmentRuleRequest(id), ct);
                return response.OkWithETag(found.Rule, found.Version);
            })
            .RequirePermission(Permissions.SalesRead)
            .ReturnsETag()
            .WithName("GetAssignmentRule")
            .WithSummary("Get a lead assignment rule")
            .ProducesProblems(StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound);

        rules.MapPost("/", async Task<Created<AssignmentRuleResponse>> (AssignmentRuleRequest request, IMediator mediator, HttpResponse response, CancellationToken ct) =>
            {
                var created = await mediator.Send(request, ct);
                return response.CreatedWithETag($"/api/v1/sales/assignment-rules/{created.Rule.Id}", created.Rule, created.Version);
            })
            .RequirePermission(Permissions.SalesManage)
            .ReturnsETag()
            .WithName("CreateAssignmentRule")
            .WithSummary("Create a lead assignment rule (managers and administrators)")
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status403Forbidden, StatusCodes.Status409Conflict, StatusCodes.Status422UnprocessableEntity);

        rules.MapPut("/{id:guid}", async Task<Ok<AssignmentRuleResponse>> (Guid id, AssignmentRuleRequest request, IMediator mediator, HttpRequest http, CancellationToken ct) =>
            {
                var updated = await mediator.Send(request with { Id = id, IfMatch = IfMatch.From(http) }, ct);
                return http.HttpContext.Response.OkWithETag(updated.Rule, updated.Version);
            })
            .RequirePermission(Permissions.SalesManage)
            .HonoursIfMatch()
            .ReturnsETag()
            .WithName("ReplaceAssignmentRule")
            .WithSummary("Replace a lead assignment rule's settings; its rotation is kept (managers and administrators; honours If-Match)")
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound, StatusCodes.Status409Conflict, StatusCodes.Status412PreconditionFailed, StatusCodes.Status422UnprocessableEntity);

        rules.MapDelete("/{id:guid}", async Task<NoContent> (Guid id, IMediator mediator, HttpRequest http, CancellationToken ct) =>
            {
                await mediator.Send(new DeleteAssignmentRuleRequest(id, IfMatch.From(http)), ct);
                return TypedResults.NoContent();
            })
            .RequirePermission(Permissions.SalesManage)
            .HonoursIfMatch()
            .WithName("DeleteAssignmentRule")
            .WithSummary("Delete a lead assignment rule (managers and administrators; honours If-Match)")
            .ProducesProblems(StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound, StatusCodes.Status412PreconditionFailed);
    }
}
