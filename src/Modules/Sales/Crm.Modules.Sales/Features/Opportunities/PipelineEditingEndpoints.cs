using Crm.Modules.Identity.Contracts;
using Crm.SharedKernel.Http;
using Crm.SharedKernel.Security;
using MediatR;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Crm.Modules.Sales.Features.Opportunities;

/// <summary>Pipeline editing (managers and administrators): every answer carries the pipeline's new ETag.</summary>
internal static class PipelineEditingEndpoints
{
    public static void Map(RouteGroupBuilder pipelines)
    {
        pipelines.MapPatch("/{id:guid}", async Task<Ok<PipelineResponse>> (Guid id, UpdatePipelineRequest request, IMediator mediator, HttpRequest http, CancellationToken ct) =>
                Versioned(http, await mediator.Send(request with { Id = id, IfMatch = IfMatch.From(http) }, ct)))
            .Accepts<UpdatePipelineRequest>("application/merge-patch+json", "application/json")
            .RequirePermission(Permissions.SalesManage)
            .HonoursIfMatch()
            .ReturnsETag()
            .WithName("UpdatePipeline")
            .WithSummary("Rename, deactivate or reactivate a pipeline (JSON merge patch; the default pipeline stays active: 409; honours If-Match)")
            .WithDescription("An inactive pipeline takes no new opportunities; the ones in it carry on. Answers with the pipeline's new ETag.")
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound, StatusCodes.Status409Conflict, StatusCodes.Status412PreconditionFailed);

        pipelines.MapPost("/{id:guid}/stages", async Task<Created<PipelineResponse>> (Guid id, AddPipelineStageRequest request, IMediator mediator, HttpRequest http, CancellationToken ct) =>
            {
                var updated = await mediator.Send(request with { PipelineId = id, IfMatch = IfMatch.From(http) }, ct);
                return http.HttpContext.Response.CreatedWithETag($"/api/v1/sales/pipelines/{id}", updated.Pipeline, updated.Version);
            })
            .RequirePermission(Permissions.SalesManage)
            .HonoursIfMatch()
            .ReturnsETag()
            .WithName("AddPipelineStage")
            .WithSummary("Add an open stage to a pipeline at a position among the open stages (honours If-Match on the pipeline and Idempotency-Key)")
            .WithDescription("The code is unique in the pipeline, retired stages included (409 duplicate-stage-code), and never changes. Answers 201 with the pipeline and its new ETag.")
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound, StatusCodes.Status409Conflict, StatusCodes.Status412PreconditionFailed, StatusCodes.Status422UnprocessableEntity);

        pipelines.MapPatch("/{id:guid}/stages/{stageId:guid}", async Task<Ok<PipelineResponse>> (Guid id, Guid stageId, UpdatePipelineStageRequest request, IMediator mediator, HttpRequest http, CancellationToken ct) =>
                Versioned(http, await mediator.Send(request with { PipelineId = id, StageId = stageId, IfMatch = IfMatch.From(http) }, ct)))
            .Accepts<UpdatePipelineStageRequest>("application/merge-patch+json", "application/json")
            .RequirePermission(Permissions.SalesManage)
            .HonoursIfMatch()
            .ReturnsETag()
            .WithName("UpdatePipelineStage")
            .WithSummary("Rename a stage or change its default probability (JSON merge patch; the code is immutable; honours If-Match on the pipeline)")
            .WithDescription("The won stage stays at 100 % and the lost one at 0 %. Opportunities in the stage keep their probability until their next move.")
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound, StatusCodes.Status409Conflict, StatusCodes.Status412PreconditionFailed);

        pipelines.MapPut("/{id:guid}/stage-order", async Task<Ok<PipelineResponse>> (Guid id, ReorderPipelineStagesRequest request, IMediator mediator, HttpRequest http, CancellationToken ct) =>
                Versioned(http, await mediator.Send(request with { PipelineId = id, IfMatch = IfMatch.From(http) }, ct)))
            .RequirePermission(Permissions.SalesManage)
            .HonoursIfMatch()
            .ReturnsETag()
            .WithName("ReorderPipelineStages")
            .WithSummary("Reorder the open stages: the full list of open stage ids (400 otherwise; won and lost stay last; honours If-Match on the pipeline)")
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound, StatusCodes.Status409Conflict, StatusCodes.Status412PreconditionFailed);

        pipelines.MapPost("/{id:guid}/stages/{stageId:guid}/deactivate", async Task<Ok<PipelineStageRetiredResponse>> (Guid id, Guid stageId, DeactivatePipelineStageRequest request, IMediator mediator, HttpRequest http, CancellationToken ct) =>
            {
                var retired = await mediator.Send(request with { PipelineId = id, StageId = stageId, IfMatch = IfMatch.From(http) }, ct);
                return http.HttpContext.Response.OkWithETag(retired.Response, retired.Version);
            })
            .RequirePermission(Permissions.SalesManage)
            .HonoursIfMatch()
            .ReturnsETag()
            .WithName("DeactivatePipelineStage")
            .WithSummary("Retire an open stage, moving its open opportunities to moveTo in one transaction (honours If-Match on the pipeline)")
            .WithDescription(
                "Each moved opportunity gets the target's default probability, a stage history row and an OpportunityStageChanged event, as a stage move would. "
                + "409 closing-stage (won or lost), last-open-stage, stage-retired; 422 invalid-move-target (retired, closing, another pipeline's or the same stage).")
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound, StatusCodes.Status409Conflict, StatusCodes.Status412PreconditionFailed, StatusCodes.Status422UnprocessableEntity);

        pipelines.MapPost("/{id:guid}/stages/{stageId:guid}/reactivate", async Task<Ok<PipelineResponse>> (Guid id, Guid stageId, IMediator mediator, HttpRequest http, CancellationToken ct) =>
                Versioned(http, await mediator.Send(new ReactivatePipelineStageRequest(id, stageId, IfMatch.From(http)), ct)))
            .RequirePermission(Permissions.SalesManage)
            .HonoursIfMatch()
            .ReturnsETag()
            .WithName("ReactivatePipelineStage")
            .WithSummary("Bring a retired stage back after the last open stage (409 stage-active when it is not retired; honours If-Match on the pipeline)")
            .ProducesProblems(StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound, StatusCodes.Status409Conflict, StatusCodes.Status412PreconditionFailed, StatusCodes.Status422UnprocessableEntity);
    }

    private static Ok<PipelineResponse> Versioned(HttpRequest http, VersionedPipeline pipeline) =>
        http.HttpContext.Response.OkWithETag(pipeline.Pipeline, pipeline.Version);
}
