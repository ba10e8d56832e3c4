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

namespace Crm.Modules.Sales.Features.Expenses;

/// <summary>Query string of <c>GET /api/v1/sales/expense-reports</c>.</summary>
/// <param name="Limit">Page size, 1 to 500 (default 50).</param>
/// <param name="Cursor">The nextCursor of the previous page.</param>
/// <param name="Sort">createdAt or total; prefix - for descending (default -createdAt).</param>
/// <param name="IncludeTotal">Also count all matching reports.</param>
/// <param name="OwnerId">Only reports of this owner.</param>
/// <param name="Status">draft, submitted, approved, rejected or paid.</param>
/// <param name="CreatedFrom">Created at or after.</param>
/// <param name="CreatedTo">Created before.</param>
internal sealed record ListExpenseReportsQuery(
    int? Limit, string? Cursor, string? Sort, bool? IncludeTotal, Guid? OwnerId, string? Status, DateTimeOffset? CreatedFrom, DateTimeOffset? CreatedTo);

/// <summary>Body of a decision on an expense report.</summary>
/// <param name="Comment">Why (required to reject, at most 1000 characters).</param>
internal sealed record ExpenseDecisionRequest(string? Comment);

internal static class ExpenseReportEndpoints
{
    public static void Map(IEndpointRouteBuilder api)
    {
        var reports = api.MapGroup("/sales/expense-reports").WithTags("Expense reports");

        reports.MapGet("/", async Task<Ok<Page<ExpenseReportSummaryResponse>>> ([AsParameters] ListExpenseReportsQuery query, IMediator mediator, CancellationToken ct) =>
            {
                var page = new PageRequest(query.Limit, query.Cursor, query.IncludeTotal ?? false);
                var status = QueryEnum.Parse<ExpenseReportStatus>(query.Status, "status");
                return TypedResults.Ok(await mediator.Send(new ListExpenseReportsRequest(page, query.Sort, query.OwnerId, status, query.CreatedFrom, query.CreatedTo), ct));
            })
            .RequirePermission(Permissions.SalesRead)
            .WithName("ListExpenseReports")
            .WithSummary("List the expense reports the caller may see, newest first (keyset pages, filters)")
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status403Forbidden);

        reports.MapGet("/{id:guid}", async Task<Ok<ExpenseReportResponse>> (Guid id, IMediator mediator, HttpResponse response, CancellationToken ct) =>
                Versioned(response, await mediator.Send(new GetExpenseReportRequest(id), ct)))
            .RequirePermission(Permissions.SalesRead)
            .ReturnsETag()
            .WithName("GetExpenseReport")
            .WithSummary("Get an expense report with its lines")
            .ProducesProblems(StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound);

        reports.MapGet("/{id:guid}/decisions", async Task<Ok<IReadOnlyList<ExpenseDecisionResponse>>> (Guid id, IMediator mediator, CancellationToken ct) =>
                TypedResults.Ok(await mediator.Send(new ListExpenseDecisionsRequest(id), ct)))
            .RequirePermission(Permissions.SalesRead)
            .WithName("ListExpenseDecisions")
            .WithSummary("The history of submissions and decisions of an expense report")
            .ProducesProblems(StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound);

        reports.MapPost("/", async Task<Created<ExpenseReportResponse>> (CreateExpenseReportRequest request, IMediator mediator, HttpResponse response, CancellationToken ct) =>
            {
                var created = await mediator.Send(request, ct);
                return response.CreatedWithETag($"/api/v1/sales/expense-reports/{created.Report.Id}", created.Report, created.Version);
            })
            .RequirePermission(Permissions.SalesWrite)
            .ReturnsETag()
            .WithName("CreateExpenseReport")
            .WithSummary("Create a draft expense report for the caller (honours Idempotency-Key)")
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status403Forbidden, StatusCodes.Status422UnprocessableEntity);

        reports.MapPatch("/{id:guid}", async Task<Ok<ExpenseReportResponse>> (Guid id, UpdateExpenseReportRequest request, IMediator mediator, HttpRequest http, CancellationToken ct) =>
                Versioned(http.HttpContext.Response, await mediator.Send(request with { Id = id, IfMatch = IfMatch.From(http) }, ct)))
            .Accepts<UpdateExpenseReportRequest>("application/merge-patch+json", "application/json")
            .RequirePermission(Permissions.SalesWrite)
            .HonoursIfMatch()
            .ReturnsETag()
            .WithName("UpdateExpenseReport")
            .WithSummary("Edit a draft or rejected expense report (JSON merge patch; honours If-Match)")
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound, StatusCodes.Status409Conflict,
                StatusCodes.Status412PreconditionFailed, StatusCodes.Status422UnprocessableEntity);

        MapDecision(reports, "submit", ExpenseDecisionAction.Submit, Permissions.SalesWrite, "Submit the caller's draft report for approval");
        MapDecision(reports, "approve", ExpenseDecisionAction.Approve, Permissions.SalesManage, "Approve a submitted report of someone in the caller's scope");
        MapDecision(reports, "reject", ExpenseDecisionAction.Reject, Permissions.SalesManage, "Reject a submitted report with a comment; the owner may edit and resubmit it");
        MapDecision(reports, "pay", ExpenseDecisionAction.Pay, Permissions.SalesManage, "Mark an approved report paid");
    }

    private static void MapDecision(RouteGroupBuilder reports, string route, ExpenseDecisionAction action, string permission, string summary) =>
        reports.MapPost($"/{{id:guid}}/{route}", async Task<Ok<ExpenseReportResponse>> (Guid id, ExpenseDecisionRequest? request, IMediator mediator, HttpRequest http, CancellationToken ct) =>
                Versioned(http.HttpContext.Response, await mediator.Send(new DecideExpenseReportRequest(id, action, request?.Comment, IfMatch.From(http)), ct)))
            .RequirePermission(permission)
            .HonoursIfMatch()
            .ReturnsETag()
            .WithName(action + "ExpenseReport")
            .WithSummary(summary + " (honours If-Match)")
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound, StatusCodes.Status409Conflict,
                StatusCodes.Status412PreconditionFailed, StatusCodes.Status422UnprocessableEntity);

    private static Ok<ExpenseReportResponse> Versioned(HttpResponse response, VersionedExpenseReport report) => response.OkWithETag(report.Report, report.Version);
}
