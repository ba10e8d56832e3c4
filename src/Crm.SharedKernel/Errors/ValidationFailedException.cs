using System.Text.Json;

namespace Crm.SharedKernel.Errors;

/// <summary>Input failed validation: a 400 whose <c>errors</c> member maps camelCase field paths to messages.</summary>
public sealed class ValidationFailedException : ProblemException
{
    private ValidationFailedException(IReadOnlyDictionary<string, string[]> errors)
        : base(400, ProblemTypes.Validation, "Validation failed", "One or more fields are invalid; see errors.")
    {
        Errors = errors;
        Extensions["errors"] = errors;
    }

    public IReadOnlyDictionary<string, string[]> Errors { get; }

    /// <summary>One field (a query parameter, header or JSON path, named exactly as the client sends it), one message.</summary>
    public static ValidationFailedException For(string field, string message) =>
        new(new Dictionary<string, string[]>(StringComparer.Ordinal) { [field] = [message] });

    /// <summary>Groups failures by field; field paths such as <c>Address.City</c> become <c>address.city</c>.</summary>
    public static ValidationFailedException From(IEnumerable<(string Field, string Message)> failures)
    {
        var errors = failures
            .GroupBy(f => ToJsonPath(f.Field), StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Select(f => f.Message).Distinct(StringComparer.Ordinal).ToArray(), StringComparer.Ordinal);
        return new ValidationFailedException(errors);
    }

    internal static string ToJsonPath(string propertyPath) =>
        string.Join('.', propertyPath.Split('.').Select(JsonNamingPolicy.CamelCase.ConvertName));
}
