using Crm.Modules.Sales.Domain;
using Crm.SharedKernel.Errors;

namespace Crm.Modules.Sales.Features.Opportunities;

/// <summary>Problems of pipelines and their stages, with stable types (listed in docs/modules/sales.md).</summary>
internal static class PipelineProblems
{
    public const string DuplicateNameType = ProblemTypes.BaseUri + "duplicate-pipeline-name";
    public const string DefaultPipelineType = ProblemTypes.BaseUri + "default-pipeline-required";
    public const string DuplicateStageCodeType = ProblemTypes.BaseUri + "duplicate-stage-code";
    public const string TooManyStagesType = ProblemTypes.BaseUri + "too-many-stages";
    public const string ClosingStageType = ProblemTypes.BaseUri + "closing-stage";
    public const string LastOpenStageType = ProblemTypes.BaseUri + "last-open-stage";
    public const string StageRetiredType = ProblemTypes.BaseUri + "stage-retired";
    public const string StageActiveType = ProblemTypes.BaseUri + "stage-active";
    public const string InvalidMoveTargetType = ProblemTypes.BaseUri + "invalid-move-target";

    public static ConflictException DuplicateName(string name) =>
        new(DuplicateNameType, "Pipeline name in use", $"Another pipeline is already called '{name}'.");

    public static ConflictException DefaultPipeline(Pipeline pipeline) =>
        new(DefaultPipelineType, "Default pipeline stays active", $"Pipeline {pipeline.Id} is the default: make another pipeline the default before deactivating it.");

    public static ConflictException DuplicateStageCode(string code) =>
        new(DuplicateStageCodeType, "Stage code in use", $"The pipeline already has a stage '{code}' (retired stages keep their codes).");

    public static BusinessRuleException TooManyStages(int max) =>
        new(TooManyStagesType, "Too many stages", $"A pipeline has at most {max} active stages: retire one first.");

    public static ConflictException ClosingStage(PipelineStage stage) =>
        new(ClosingStageType, "Closing stages stay", $"Stage '{stage.Code}' is the pipeline's {Kind(stage)} stage: every pipeline keeps exactly one won and one lost stage.");

    public static ConflictException LastOpenStage(PipelineStage stage) =>
        new(LastOpenStageType, "Last open stage", $"Stage '{stage.Code}' is the pipeline's last open stage: add another one before retiring it.");

    /// <summary>Retiring a stage that is retired already (409).</summary>
    public static ConflictException AlreadyRetired(PipelineStage stage) =>
        new(StageRetiredType, "Stage retired", $"Stage '{stage.Code}' is retired already.");

    /// <summary>An opportunity cannot enter a retired stage (422).</summary>
    public static BusinessRuleException Retired(PipelineStage stage) =>
        new(StageRetiredType, "Stage retired", $"Stage '{stage.Code}' is retired: no opportunity enters it; reactivate it or pick an active stage.");

    public static ConflictException Active(PipelineStage stage) =>
        new(StageActiveType, "Stage active", $"Stage '{stage.Code}' is active: only a retired stage can be reactivated.");

    public static BusinessRuleException InvalidMoveTarget(Guid moveTo, string why) =>
        new(InvalidMoveTargetType, "Invalid move target", $"The open opportunities cannot move to stage {moveTo}: {why}.");

    private static string Kind(PipelineStage stage) => stage.Kind == StageKind.Won ? "won" : "lost";
}
