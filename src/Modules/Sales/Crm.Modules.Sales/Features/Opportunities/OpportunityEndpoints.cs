using Crm.Modules.Identity.Contracts;
using Crm.Modules.Integration.Contracts;
using Crm.Modules.Sales.Features.Competitors;
using Crm.SharedKernel.Http;
using Crm.SharedKernel.Paging;
using Crm.SharedKernel.Security;
using MediatR;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Crm.Modules.Sales.Features.Opportunities;

/// <summary>Query string of <c>GET /api/v1/sales/opportunities/export</c>: every filter of the list plus the file format.</summary>
/// <param name="Format">csv (default) or ndjson.</param>
/// <param name="Charset">CSV text encoding: utf-8 (default, with a BOM so Excel detects it) or gb18030.</param>
/// <param name="Q">Part of the name (case-insensitive).</param>
/// <param name="OwnerId">Only this owner's.</param>
/// <param name="TeamId">Only this team's.</param>
/// <param name="CustomerId">Only this customer's.</param>
/// <param name="PipelineId">Only this pipeline's.</param>
/// <param name="StageId">Only those in this stage.</param>
/// <param name="Status">open, won or lost.</param>
/// <param name="ExpectedCloseFrom">Expected close on or after this date.</param>
/// <param name="ExpectedCloseTo">Expected close on or before this date.</param>
/// <param name="AmountMin">Amount at least this.</param>
/// <param name="AmountMax">Amount at most this.</param>
/// <param name="PartnerId">Only those with this partner.</param>
/// <param name="ExternalId">Only the one with this external id.</param>
internal sealed record ExportOpportunitiesQuery(
    string? Format,
    string? Charset,
    string? Q,
    Guid? OwnerId,
    Guid? TeamId,
    Guid? CustomerId,
    Guid? PipelineId,
    Guid? StageId,
    string? Status,
    DateOnly? ExpectedCloseFrom,
    DateOnly? ExpectedCloseTo,
    decimal? AmountMin,
    decimal? AmountMax,
    Guid? PartnerId,
    string? ExternalId)
{
    /// <summary>The list's filter, read by the list's own rules.</summary>
    public OpportunityFilter ToFilter() => new ListOpportunitiesQuery(
        null, null, null, null, Q, OwnerId, TeamId, CustomerId, PipelineId, StageId, Status, ExpectedCloseFrom, ExpectedCloseTo, AmountMin, AmountMax,
        PartnerId, ExternalId).ToRequest().Filter;
}

internal static class OpportunityEndpoints
{
    public static void Map(IEndpointRouteBuilder api)
    {
        var opportunities = api.MapGroup("/sales/opportunities").WithTags("Opportunities");

        opportunities.MapPost("/", async Task<Created<OpportunityResponse>> (CreateOpportunityRequest request, IMediator mediator, HttpResponse response, CancellationToken ct) =>
            {
                var created = await mediator.Send(request, ct);
                return response.CreatedWithETag($"/api/v1/sales/opportunities/{created.Opportunity.Id}", created.Opportunity, created.Version);
            })
            .RequirePermission(Permissions.SalesWrite)
            .ReturnsETag()
            .WithName("CreateOpportunity")
            .WithSummary("Open an opportunity with a customer (honours Idempotency-Key)")
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status403Forbidden, StatusCodes.Status422UnprocessableEntity);

        opportunities.MapGet("/", async Task<Ok<Page<OpportunityResponse>>> ([AsParameters] ListOpportunitiesQuery query, IMediator mediator, CancellationToken ct) =>
                TypedResults.Ok(await mediator.Send(query.ToRequest(), ct)))
            .RequirePermission(Permissions.SalesRead)
            .WithName("ListOpportunities")
            .WithSummary("List the opportunities the caller may see (keyset pages, filters, q on the name)")
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status403Forbidden);

        opportunities.MapGet("/export", async Task ([AsParameters] ExportOpportunitiesQuery query, OpportunityExport export, HttpResponse response, CancellationToken ct) =>
            {
                var (format, encoding) = ExportWriter.Parse(query.Format, query.Charset);
                var opportunities = await export.QueryAsync(query.ToFilter(), ct);
                await using var writer = ExportWriter.Open(response, format, encoding, "opportunities", OpportunityExport.Columns, []);
                await export.WriteAsync(opportunities, writer, ct);
            })
            .RequirePermission(Permissions.SalesRead)
            .WithName("ExportOpportunities")
            .WithSummary("Export the opportunities the caller may see as CSV or NDJSON, streamed; accepts every list filter; re-imports unchanged through POST /api/v1/imports/opportunities")
            .Produces(StatusCodes.Status200OK, contentType: "text/csv", additionalContentTypes: ["application/x-ndjson"])
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status403Forbidden);

        opportunities.MapGet("/{id:guid}", async Task<Ok<OpportunityResponse>> (Guid id, IMediator mediator, HttpResponse response, CancellationToken ct) =>
                Versioned(response, await mediator.Send(new GetOpportunityRequest(id), ct)))
            .RequirePermission(Permissions.SalesRead)
            .ReturnsETag()
            .WithName("GetOpportunity")
            .WithSummary("Get an opportunity")
            .ProducesProblems(StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound);

        opportunities.MapPatch("/{id:guid}", async Task<Ok<OpportunityResponse>> (Guid id, UpdateOpportunityRequest request, IMediator mediator, HttpRequest http, CancellationToken ct) =>
                Versioned(http.HttpContext.Response, await mediator.Send(request with { Id = id, IfMatch = IfMatch.From(http) }, ct)))
            .Accepts<UpdateOpportunityRequest>("application/merge-patch+json", "application/json")
            .RequirePermission(Permissions.SalesWrite)
            .HonoursIfMatch()
            .ReturnsETag()
            .WithName("UpdateOpportunity")
            .WithSummary("Update an open opportunity (JSON merge patch; honours If-Match; won and lost ones are read-only)")
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound, StatusCodes.Status409Conflict,
                StatusCodes.Status412PreconditionFailed, StatusCodes.Status422UnprocessableEntity);

        opportunities.MapPost("/reassign", async Task<Ok<ReassignOpportunitiesResponse>> (ReassignOpportunitiesRequest request, IMediator mediator, CancellationToken ct) =>
                TypedResults.Ok(await mediator.Send(request, ct)))
            .RequirePermission(Permissions.SalesManage)
            .WithName("ReassignOpportunities")
            .WithSummary("Reassign many open opportunities by ids or by their owner (fromOwnerId) in one set-based update, with a reason (managers and administrators; honours Idempotency-Key)")
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status403Forbidden, StatusCodes.Status422UnprocessableEntity);

        opportunities.MapPost("/{id:guid}/stage", async Task<Ok<OpportunityResponse>> (Guid id, MoveOpportunityStageRequest request, IMediator mediator, HttpRequest http, CancellationToken ct) =>
                Versioned(http.HttpContext.Response, await mediator.Send(request with { Id = id, IfMatch = IfMatch.From(http) }, ct)))
            .RequirePermission(Permissions.SalesWrite)
            .HonoursIfMatch()
            .ReturnsETag()
            .WithName("MoveOpportunityStage")
            .WithSummary("Move an opportunity to another stage (the won stage wins it, an open stage reopens a closed one; honours If-Match)")
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound, StatusCodes.Status409Conflict, StatusCodes.Status412PreconditionFailed);

        opportunities.MapPost("/{id:guid}/win", async Task<Ok<OpportunityResponse>> (Guid id, IMediator mediator, HttpRequest http, CancellationToken ct) =>
                Versioned(http.HttpContext.Response, await mediator.Send(new WinOpportunityRequest(id, IfMatch.From(http)), ct)))
            .RequirePermission(Permissions.SalesWrite)
            .HonoursIfMatch()
            .ReturnsETag()
            .WithName("WinOpportunity")
            .WithSummary("Win an open opportunity (moves it to the won stage; honours If-Match)")
            .ProducesProblems(StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound, StatusCodes.Status409Conflict, StatusCodes.Status412PreconditionFailed);

        opportunities.MapPost("/{id:guid}/lose", async Task<Ok<OpportunityResponse>> (Guid id, LoseOpportunityRequest request, IMediator mediator, HttpRequest http, CancellationToken ct) =>
                Versioned(http.HttpContext.Response, await mediator.Send(request with { Id = id, IfMatch = IfMatch.From(http) }, ct)))
            .RequirePermission(Permissions.SalesWrite)
            .HonoursIfMatch()
            .ReturnsETag()
            .WithName("LoseOpportunity")
            .WithSummary("Lose an open opportunity with a reason (moves it to the lost stage; honours If-Match)")
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound, StatusCodes.Status409Conflict, StatusCodes.Status412PreconditionFailed);

        opportunities.MapPost("/{id:guid}/reopen", async Task<Ok<OpportunityResponse>> (Guid id, ReopenOpportunityRequest request, IMediator mediator, HttpRequest http, CancellationToken ct) =>
                Versioned(http.HttpContext.Response, await mediator.Send(request with { Id = id, IfMatch = IfMatch.From(http) }, ct)))
            .RequirePermission(Permissions.SalesWrite)
            .HonoursIfMatch()
            .ReturnsETag()
            .WithName("ReopenOpportunity")
            .WithSummary("Reopen a won or lost opportunity (by default in the stage it was closed from; honours If-Match)")
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound, StatusCodes.Status409Conflict, StatusCodes.Status412PreconditionFailed);

        opportunities.MapGet("/{id:guid}/history", async Task<Ok<IReadOnlyList<OpportunityStageChangeResponse>>> (Guid id, IMediator mediator, CancellationToken ct) =>
                TypedResults.Ok(await mediator.Send(new GetOpportunityHistoryRequest(id), ct)))
            .RequirePermission(Permissions.SalesRead)
            .WithName("GetOpportunityHistory")
            .WithSummary("The opportunity's stage history, oldest first")
            .ProducesProblems(StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound);

        MapLines(api);
        MapPipelines(api);
        api.MapCompetitorEndpoints();
    }

    /// <summary>The product lines: their answers carry the opportunity's ETag, since every line change changes its amount.</summary>
    private static void MapLines(IEndpointRouteBuilder api)
    {
        var lines = api.MapGroup("/sales/opportunities/{opportunityId:guid}/lines").WithTags("Opportunities");

        lines.MapGet("/", async Task<Ok<OpportunityLinesResponse>> (Guid opportunityId, IMediator mediator, HttpResponse response, CancellationToken ct) =>
                Lines(response, await mediator.Send(new ListOpportunityLinesRequest(opportunityId), ct)))
            .RequirePermission(Permissions.SalesRead)
            .ReturnsETag()
            .WithName("ListOpportunityLines")
            .WithSummary("An opportunity's product lines and their total (the opportunity's ETag)")
            .ProducesProblems(StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound);

        lines.MapPost("/", async Task<Ok<OpportunityLinesResponse>> (Guid opportunityId, AddOpportunityLineRequest request, IMediator mediator, HttpRequest http, CancellationToken ct) =>
                Lines(http.HttpContext.Response, await mediator.Send(request with { OpportunityId = opportunityId, IfMatch = IfMatch.From(http) }, ct)))
            .RequirePermission(Permissions.SalesWrite)
            .HonoursIfMatch()
            .ReturnsETag()
            .WithName("AddOpportunityLine")
            .WithSummary("Add a product line to an open opportunity; its amount becomes the lines' total (honours If-Match on the opportunity's ETag)")
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound, StatusCodes.Status409Conflict, StatusCodes.Status412PreconditionFailed, StatusCodes.Status422UnprocessableEntity);

        lines.MapPut("/{lineId:guid}", async Task<Ok<OpportunityLinesResponse>> (Guid opportunityId, Guid lineId, ReplaceOpportunityLineRequest request, IMediator mediator, HttpRequest http, CancellationToken ct) =>
                Lines(http.HttpContext.Response, await mediator.Send(request with { OpportunityId = opportunityId, LineId = lineId, IfMatch = IfMatch.From(http) }, ct)))
            .RequirePermission(Permissions.SalesWrite)
            .HonoursIfMatch()
            .ReturnsETag()
            .WithName("ReplaceOpportunityLine")
            .WithSummary("Replace a line's quantity, unit price and discount (honours If-Match on the opportunity's ETag)")
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound, StatusCodes.Status409Conflict, StatusCodes.Status412PreconditionFailed);

        lines.MapDelete("/{lineId:guid}", async Task<Ok<OpportunityLinesResponse>> (Guid opportunityId, Guid lineId, IMediator mediator, HttpRequest http, CancellationToken ct) =>
                Lines(http.HttpContext.Response, await mediator.Send(new RemoveOpportunityLineRequest(opportunityId, lineId, IfMatch.From(http)), ct)))
            .RequirePermission(Permissions.SalesWrite)
            .HonoursIfMatch()
            .ReturnsETag()
            .WithName("RemoveOpportunityLine")
            .WithSummary("Remove a line; the amount becomes the remaining lines' total (honours If-Match on the opportunity's ETag)")
            .ProducesProblems(StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound, StatusCodes.Status409Conflict, StatusCodes.Status412PreconditionFailed);
    }

    private static void MapPipelines(IEndpointRouteBuilder api)
    {
        var pipelines = api.MapGroup("/sales/pipelines").WithTags("Pipelines");

        pipelines.MapGet("/", async Task<Ok<IReadOnlyList<PipelineResponse>>> (IMediator mediator, CancellationToken ct) =>
                TypedResults.Ok(await mediator.Send(new ListPipelinesRequest(), ct)))
            .RequirePermission(Permissions.SalesRead)
            .WithName("ListPipelines")
            .WithSummary("Every pipeline with its stages, the default first")
            .ProducesProblems(StatusCodes.Status403Forbidden);

        pipelines.MapGet("/{id:guid}", async Task<Ok<PipelineResponse>> (Guid id, IMediator mediator, HttpResponse response, CancellationToken ct) =>
            {
                var found = await mediator.Send(new GetPipelineRequest(id), ct);
                return response.OkWithETag(found.Pipeline, found.Version);
            })
            .RequirePermission(Permissions.SalesRead)
            .ReturnsETag()
            .WithName("GetPipeline")
            .WithSummary("A pipeline with its stages")
            .ProducesProblems(StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound);

        pipelines.MapPost("/", async Task<Created<PipelineResponse>> (CreatePipelineRequest request, IMediator mediator, HttpResponse response, CancellationToken ct) =>
            {
                var created = await mediator.Send(request, ct);
                return response.CreatedWithETag($"/api/v1/sales/pipelines/{created.Pipeline.Id}", created.Pipeline, created.Version);
            })
            .RequirePermission(Permissions.SalesManage)
            .ReturnsETag()
            .WithName("CreatePipeline")
            .WithSummary("Create a pipeline with its stages (managers and administrators; honours Idempotency-Key)")
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status403Forbidden, StatusCodes.Status409Conflict);

        pipelines.MapPost("/{id:guid}/default", async Task<Ok<PipelineResponse>> (Guid id, IMediator mediator, HttpRequest http, CancellationToken ct) =>
            {
                var updated = await mediator.Send(new SetDefaultPipelineRequest(id, IfMatch.From(http)), ct);
                return http.HttpContext.Response.OkWithETag(updated.Pipeline, updated.Version);
            })
            .RequirePermission(Permissions.SalesManage)
            .HonoursIfMatch()
            .ReturnsETag()
            .WithName("SetDefaultPipeline")
            .WithSummary("Make a pipeline the default for new opportunities (managers and administrators; honours If-Match)")
            .ProducesProblems(StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound, StatusCodes.Status409Conflict, StatusCodes.Status412PreconditionFailed);

        PipelineEditingEndpoints.Map(pipelines);
    }

    private static Ok<OpportunityLinesResponse> Lines(HttpResponse response, VersionedOpportunityLines lines) =>
        response.OkWithETag(lines.Lines, lines.Version);

    private static Ok<OpportunityResponse> Versioned(HttpResponse response, VersionedOpportunity opportunity) =>
        response.OkWithETag(opportunity.Opportunity, opportunity.Version);
}
