using Crm.Modules.Identity.Contracts;
using Crm.Modules.Sales.Domain;
using Crm.SharedKernel.Http;
using Crm.SharedKernel.Paging;
using Crm.SharedKernel.Security;
using MediatR;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Crm.Modules.Sales.Features.Commissions;

/// <summary>Query string of <c>GET /api/v1/sales/commission-rules</c>.</summary>
/// <param name="Limit">Page size, 1 to 500 (default 50).</param>
/// <param name="Cursor">The nextCursor of the previous page.</param>
/// <param name="Sort">createdAt or ratePercent; prefix - for descending (default createdAt).</param>
/// <param name="IncludeTotal">Also count all matching rules.</param>
/// <param name="RepId">Only the rules of this rep.</param>
/// <param name="ProductCategory">Only the rules of this product category.</param>
/// <param name="Level">repAndCategory, rep, category or default.</param>
/// <param name="ActiveOn">Only rules valid on this day.</param>
internal sealed record ListCommissionRulesQuery(
    int? Limit, string? Cursor, string? Sort, bool? IncludeTotal, Guid? RepId, string? ProductCategory, string? Level, DateOnly? ActiveOn);

/// <summary>Query string of <c>GET /api/v1/sales/commissions/statements</c>.</summary>
/// <param name="Period">The month, yyyy-MM (required).</param>
/// <param name="OwnerId">Only this rep.</param>
internal sealed record CommissionStatementQuery(string? Period, Guid? OwnerId);

/// <summary>Query string of <c>GET /api/v1/sales/commissions/statements/frozen</c>.</summary>
/// <param name="Limit">Page size, 1 to 500 (default 50).</param>
/// <param name="Cursor">The nextCursor of the previous page.</param>
/// <param name="Sort">period or frozenAt; prefix - for descending (default -period).</param>
/// <param name="IncludeTotal">Also count all matching statements.</param>
/// <param name="UserId">Only this rep.</param>
/// <param name="Period">Only this month, yyyy-MM.</param>
/// <param name="Status">frozen or approved.</param>
internal sealed record ListFrozenCommissionStatementsQuery(int? Limit, string? Cursor, string? Sort, bool? IncludeTotal, Guid? UserId, string? Period, string? Status);

internal static class CommissionEndpoints
{
    public static void Map(IEndpointRouteBuilder api)
    {
        var rules = api.MapGroup("/sales/commission-rules").WithTags("Commissions");

        rules.MapGet("/", async Task<Ok<Page<CommissionRuleResponse>>> ([AsParameters] ListCommissionRulesQuery query, IMediator mediator, CancellationToken ct) =>
            {
                var page = new PageRequest(query.Limit, query.Cursor, query.IncludeTotal ?? false);
                var filter = new CommissionRuleFilter(query.RepId, query.ProductCategory, QueryEnum.Parse<CommissionRuleLevel>(query.Level, "level"), query.ActiveOn);
                return TypedResults.Ok(await mediator.Send(new ListCommissionRulesRequest(page, query.Sort, filter), ct));
            })
            .RequirePermission(Permissions.SalesRead)
            .WithName("ListCommissionRules")
            .WithSummary("List commission rules (keyset pages; filters repId, productCategory, level, activeOn)")
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status403Forbidden);

        rules.MapGet("/{id:guid}", async Task<Ok<CommissionRuleResponse>> (Guid id, IMediator mediator, HttpResponse response, CancellationToken ct) =>
                Versioned(response, await mediator.Send(new GetCommissionRuleRequest(id), ct)))
            .RequirePermission(Permissions.SalesRead)
            .ReturnsETag()
            .WithName("GetCommissionRule")
            .WithSummary("Get a commission rule")
            .ProducesProblems(StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound);

        rules.MapPost("/", async Task<Created<CommissionRuleResponse>> (CreateCommissionRuleRequest request, IMediator mediator, HttpResponse response, CancellationToken ct) =>
            {
                var created = await mediator.Send(request, ct);
                return response.CreatedWithETag($"/api/v1/sales/commission-rules/{created.Rule.Id}", created.Rule, created.Version);
            })
            .RequirePermission(Permissions.SalesManage)
            .ReturnsETag()
            .WithName("CreateCommissionRule")
            .WithSummary("Create a commission rule for a rep, a product category, both, or everybody (honours Idempotency-Key)")
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status403Forbidden, StatusCodes.Status409Conflict, StatusCodes.Status422UnprocessableEntity);

        rules.MapPatch("/{id:guid}", async Task<Ok<CommissionRuleResponse>> (Guid id, UpdateCommissionRuleRequest request, IMediator mediator, HttpRequest http, CancellationToken ct) =>
                Versioned(http.HttpContext.Response, await mediator.Send(request with { Id = id, IfMatch = IfMatch.From(http) }, ct)))
            .Accepts<UpdateCommissionRuleRequest>("application/merge-patch+json", "application/json")
            .RequirePermission(Permissions.SalesManage)
            .HonoursIfMatch()
            .ReturnsETag()
            .WithName("UpdateCommissionRule")
            .WithSummary("Change a rule's rate, validity or name (JSON merge patch; honours If-Match)")
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound, StatusCodes.Status409Conflict,
                StatusCodes.Status412PreconditionFailed);

        rules.MapDelete("/{id:guid}", async Task<NoContent> (Guid id, IMediator mediator, HttpRequest http, CancellationToken ct) =>
            {
                await mediator.Send(new DeleteCommissionRuleRequest(id, IfMatch.From(http)), ct);
                return TypedResults.NoContent();
            })
            .RequirePermission(Permissions.SalesManage)
            .HonoursIfMatch()
            .WithName("DeleteCommissionRule")
            .WithSummary("Delete a commission rule (honours If-Match)")
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound, StatusCodes.Status412PreconditionFailed);

        api.MapGet("/sales/commissions/statements", async Task<Ok<CommissionStatementResponse>> ([AsParameters] CommissionStatementQuery query, IMediator mediator, CancellationToken ct) =>
                TypedResults.Ok(await mediator.Send(new GetCommissionStatementRequest(query.Period, query.OwnerId), ct)))
            .WithTags("Commissions")
            .RequirePermission(Permissions.SalesRead)
            .WithName("GetCommissionStatement")
            .WithSummary("Commission statement of a month per rep the caller may see: receipts and reversals, rates applied, totals")
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status403Forbidden);

        MapFrozenStatements(api.MapGroup("/sales/commissions/statements").WithTags("Commissions"));
    }

    private static void MapFrozenStatements(RouteGroupBuilder statements)
    {
        statements.MapGet("/frozen", async Task<Ok<Page<FrozenCommissionStatementResponse>>> (
                [AsParameters] ListFrozenCommissionStatementsQuery query, IMediator mediator, CancellationToken ct) =>
            {
                var page = new PageRequest(query.Limit, query.Cursor, query.IncludeTotal ?? false);
                var filter = new FrozenStatementFilter(query.UserId, query.Period, QueryEnum.Parse<CommissionStatementStatus>(query.Status, "status"));
                return TypedResults.Ok(await mediator.Send(new ListFrozenCommissionStatementsRequest(page, query.Sort, filter), ct));
            })
            .RequirePermission(Permissions.SalesRead)
            .WithName("ListFrozenCommissionStatements")
            .WithSummary("List the frozen and approved commission statements of the reps the caller may see (keyset pages; filters userId, period, status)")
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status403Forbidden);

        statements.MapGet("/{userId:guid}/{period}", async Task<Ok<FrozenCommissionStatementResponse>> (Guid userId, string period, IMediator mediator, HttpResponse response, CancellationToken ct) =>
                Versioned(response, await mediator.Send(new GetFrozenCommissionStatementRequest(userId, period), ct)))
            .RequirePermission(Permissions.SalesRead)
            .ReturnsETag()
            .WithName("GetFrozenCommissionStatement")
            .WithSummary("Get a rep's frozen statement of a month (yyyy-MM) with its stored lines and ETag; 404 while the month is only computed")
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound);

        statements.MapPost("/{userId:guid}/{period}/freeze", async Task<Created<FrozenCommissionStatementResponse>> (Guid userId, string period, IMediator mediator, HttpResponse response, CancellationToken ct) =>
            {
                var frozen = await mediator.Send(new FreezeCommissionStatementRequest(userId, period), ct);
                return response.CreatedWithETag($"/api/v1/sales/commissions/statements/{userId}/{frozen.Statement.Period}", frozen.Statement, frozen.Version);
            })
            .RequirePermission(Permissions.SalesManage)
            .ReturnsETag()
            .WithName("FreezeCommissionStatement")
            .WithSummary("Freeze a rep's statement of an ended month: its lines and totals are stored and no longer follow rule changes (managers and administrators; 409 when frozen already, 422 while the month runs)")
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound, StatusCodes.Status409Conflict,
                StatusCodes.Status422UnprocessableEntity);

        statements.MapPost("/freeze", async Task<Ok<TeamFreezeResponse>> (FreezeTeamCommissionStatementsRequest request, IMediator mediator, CancellationToken ct) =>
                TypedResults.Ok(await mediator.Send(request, ct)))
            .RequirePermission(Permissions.SalesManage)
            .WithName("FreezeTeamCommissionStatements")
            .WithSummary("Freeze the statements of an ended month for every member of a team and its sub-teams in one transaction; members frozen already are reported as skipped (managers of the team and administrators; 404 for a team outside the caller's, 422 while the month runs)")
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound, StatusCodes.Status409Conflict,
                StatusCodes.Status422UnprocessableEntity);

        statements.MapPost("/{userId:guid}/{period}/approve", async Task<Ok<FrozenCommissionStatementResponse>> (Guid userId, string period, IMediator mediator, HttpRequest http, CancellationToken ct) =>
                Versioned(http.HttpContext.Response, await mediator.Send(
                    new ApproveCommissionStatementRequest(userId, period, IfMatch.From(http), http.HttpContext.User.IsInRole(Roles.Admin)), ct)))
            .RequirePermission(Permissions.SalesManage)
            .HonoursIfMatch()
            .ReturnsETag()
            .WithName("ApproveCommissionStatement")
            .WithSummary("Approve a frozen statement: an administrator, or a manager who neither froze it nor is its rep (403 otherwise); raises CommissionStatementApproved (honours If-Match)")
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound, StatusCodes.Status409Conflict,
                StatusCodes.Status412PreconditionFailed);

        statements.MapPost("/{userId:guid}/{period}/reopen", async Task<NoContent> (Guid userId, string period, ReopenCommissionStatementRequest request, IMediator mediator, HttpRequest http, CancellationToken ct) =>
            {
                await mediator.Send(request with { UserId = userId, Period = period, IfMatch = IfMatch.From(http), CallerIsAdmin = http.HttpContext.User.IsInRole(Roles.Admin) }, ct);
                return TypedResults.NoContent();
            })
            .RequirePermission(Permissions.SalesManage)
            .HonoursIfMatch()
            .WithName("ReopenCommissionStatement")
            .WithSummary("Reopen a frozen or approved statement: the frozen copy is deleted and the month is computed again (administrators; the reason is audited; honours If-Match)")
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound, StatusCodes.Status412PreconditionFailed);
    }

    private static Ok<FrozenCommissionStatementResponse> Versioned(HttpResponse response, VersionedFrozenStatement statement) =>
        response.OkWithETag(statement.Statement, statement.Version);

    private static Ok<CommissionRuleResponse> Versioned(HttpResponse response, VersionedCommissionRule rule) => response.OkWithETag(rule.Rule, rule.Version);
}
