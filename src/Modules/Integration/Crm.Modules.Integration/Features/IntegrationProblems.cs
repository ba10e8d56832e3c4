using Crm.SharedKernel.Errors;

namespace Crm.Modules.Integration.Features;

/// <summary>Problems specific to imports, with stable types (listed in docs/import-export.md).</summary>
internal static class IntegrationProblems
{
    public const string ImportFinishedType = ProblemTypes.BaseUri + "import-finished";

    public static ProblemException UnsupportedMediaType(string? contentType) =>
        new(415, ProblemTypes.UnsupportedMediaType, "Unsupported media type",
            $"Content-Type '{contentType}' cannot be imported: send text/csv (charset utf-8, gb18030 or gbk), application/x-ndjson or application/json.");

    public static NotFoundException UnknownEntity(string entity) => new("Import entity", entity);

    public static ProblemException Forbidden(string entity, string permission) =>
        new(403, ProblemTypes.Forbidden, "Forbidden", $"Importing {entity} needs the {permission} permission besides imports:write.");

    public static ConflictException ImportFinished(Guid id) =>
        new(ImportFinishedType, "Import finished", $"Import '{id}' has already finished; only a queued or running import can be cancelled.");
}
