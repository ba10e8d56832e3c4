using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using Crm.Modules.Customers.Data;
using Crm.Modules.Customers.Domain;
using Crm.SharedKernel.Errors;
using Crm.SharedKernel.Http;
using Crm.SharedKernel.Time;
using FluentValidation;
using MediatR;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Crm.Modules.Customers.Features.CustomFields;

/// <summary>A custom field definition (自定义字段).</summary>
/// <param name="Id">Definition id.</param>
/// <param name="Entity">customers or contacts.</param>
/// <param name="Key">API name of the field inside <c>customFields</c>; immutable.</param>
/// <param name="Label">What users see, e.g. 客户等级.</param>
/// <param name="Type">text, number, integer, decimal (at most 2 decimal places, for money), date, dateTime, boolean, select, multiSelect, url, email or phone; immutable.</param>
/// <param name="IsRequired">Creates must give a value, and no write may remove it.</param>
/// <param name="Options">The choices of a select or multiSelect field.</param>
/// <param name="MaxLength">Longest text value (text fields; default 1000).</param>
/// <param name="Min">Smallest value (number, integer and decimal fields).</param>
/// <param name="Max">Largest value (number, integer and decimal fields).</param>
/// <param name="IsActive">Inactive fields take no new values; stored values stay and can still be removed or filtered on.</param>
/// <param name="DisplayOrder">Where front ends show the field (ascending).</param>
/// <param name="CreatedAt">When the definition was created.</param>
/// <param name="UpdatedAt">When it last changed.</param>
internal sealed record CustomFieldResponse(
    Guid Id,
    CustomFieldEntity Entity,
    string Key,
    string Label,
    CustomFieldType Type,
    bool IsRequired,
    IReadOnlyList<CustomFieldOption> Options,
    int? MaxLength,
    decimal? Min,
    decimal? Max,
    bool IsActive,
    int DisplayOrder,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt)
{
    public static CustomFieldResponse From(CustomFieldDefinition d) => new(
        d.Id, d.Entity, d.Key, d.Label, d.Type, d.IsRequired, d.Options, d.MaxLength, d.Min, d.Max, d.IsActive, d.DisplayOrder, d.CreatedAt, d.UpdatedAt);
}

/// <summary>A definition with the row version that becomes its ETag.</summary>
internal sealed record VersionedCustomField(CustomFieldResponse Field, uint Version);

/// <summary>All definitions of an entity, in display order.</summary>
/// <param name="Items">The definitions (inactive ones only when asked for).</param>
internal sealed record CustomFieldListResponse(IReadOnlyList<CustomFieldResponse> Items);

internal static class CustomFieldEntities
{
    /// <summary>The route segment (customers, contacts); anything else is 404 like an unknown resource.</summary>
    public static CustomFieldEntity Parse(string entity) => entity switch
    {
        "customers" => CustomFieldEntity.Customers,
        "contacts" => CustomFieldEntity.Contacts,
        _ => throw new NotFoundException("Custom field entity", entity),
    };
}

/// <summary>The list with the ETag of the whole set.</summary>
internal sealed record VersionedCustomFieldList(CustomFieldListResponse List, string ETag);

internal sealed record ListCustomFieldsRequest(CustomFieldEntity Entity, bool IncludeInactive) : IRequest<VersionedCustomFieldList>;

/// <summary>
/// The ETag of the list is a hash of the listed definitions' ids and row versions in list order: any change of one of
/// them (a definition changed, added, deactivated or reordered) changes it, and a list with the same rows keeps it.
/// </summary>
internal sealed class ListCustomFieldsHandler(CustomersDbContext db) : IRequestHandler<ListCustomFieldsRequest, VersionedCustomFieldList>
{
    public async Task<VersionedCustomFieldList> Handle(ListCustomFieldsRequest request, CancellationToken cancellationToken)
    {
        var definitions = db.CustomFieldDefinitions.AsNoTracking().Where(d => d.Entity == request.Entity);
        if (!request.IncludeInactive)
        {
            definitions = definitions.Where(d => d.IsActive);
        }

        var items = await definitions.OrderBy(d => d.DisplayOrder).ThenBy(d => d.Key).ToListAsync(cancellationToken);
        return new VersionedCustomFieldList(new CustomFieldListResponse(items.Select(CustomFieldResponse.From).ToList()), ETagOf(items));
    }

    private static string ETagOf(List<CustomFieldDefinition> items)
    {
        var rows = new byte[items.Count * 20];
        for (var i = 0; i < items.Count; i++)
        {
            items[i].Id.TryWriteBytes(rows.AsSpan(i * 20, 16));
            BinaryPrimitives.WriteUInt32BigEndian(rows.AsSpan((i * 20) + 16, 4), items[i].Version);
        }

        return $"\"custom-fields-{Convert.ToHexStringLower(SHA256.HashData(rows))[..16]}\"";
    }
}

internal sealed record GetCustomFieldRequest(CustomFieldEntity Entity, string Key) : IRequest<VersionedCustomField>;

internal sealed class GetCustomFieldHandler(CustomersDbContext db) : IRequestHandler<GetCustomFieldRequest, VersionedCustomField>
{
    public async Task<VersionedCustomField> Handle(GetCustomFieldRequest request, CancellationToken cancellationToken)
    {
        var definition = await CustomFieldAccess.FindAsync(db.CustomFieldDefinitions.AsNoTracking(), request.Entity, request.Key, cancellationToken);
        return new VersionedCustomField(CustomFieldResponse.From(definition), definition.Version);
    }
}

/// <summary>Define a custom field. The key and the type are fixed once created.</summary>
/// <param name="Key">API name: a lower-case letter, then up to 39 letters, digits or underscores (required; unique per entity).</param>
/// <param name="Label">What users see, e.g. 客户等级 (required, ≤ 100).</param>
/// <param name="Type">text, number, integer, decimal, date, dateTime, boolean, select, multiSelect, url, email or phone (required).</param>
/// <param name="IsRequired">Creates must give a value (default false).</param>
/// <param name="Options">Choices of a select or multiSelect field (required for them, not allowed for other types).</param>
/// <param name="MaxLength">Longest value of a text field, 1 to 10000 (default 1000).</param>
/// <param name="Min">Smallest value of a number, integer or decimal field.</param>
/// <param name="Max">Largest value of a number, integer or decimal field.</param>
/// <param name="IsActive">Default true.</param>
/// <param name="DisplayOrder">Default 0.</param>
internal sealed record CreateCustomFieldRequest(
    string Key,
    string Label,
    CustomFieldType? Type,
    bool? IsRequired = null,
    IReadOnlyList<CustomFieldOption>? Options = null,
    int? MaxLength = null,
    decimal? Min = null,
    decimal? Max = null,
    bool? IsActive = null,
    int? DisplayOrder = null) : IRequest<VersionedCustomField>
{
    [JsonIgnore]
    public CustomFieldEntity Entity { get; init; }

    public CustomFieldSettings ToSettings() =>
        new(Label ?? string.Empty, IsRequired ?? false, Options ?? [], MaxLength, Min, Max, IsActive ?? true, DisplayOrder ?? 0);
}

internal sealed partial class CreateCustomFieldValidator : AbstractValidator<CreateCustomFieldRequest>
{
    public CreateCustomFieldValidator()
    {
        RuleFor(r => r.Key).NotEmpty().Matches(KeyPattern())
            .WithMessage($"key must start with a lower-case letter, then up to {CustomFieldDefinition.MaxKeyLength - 1} letters, digits or underscores (^[a-z][a-zA-Z0-9_]{{0,39}}$).");
        RuleFor(r => r.Type).NotNull().WithMessage("type is required: text, number, integer, decimal, date, dateTime, boolean, select, multiSelect, url, email or phone.");
        RuleFor(r => r).Custom((request, context) =>
        {
            if (request.Type is { } type)
            {
                foreach (var (field, message) in CustomFieldRules.Check(type, request.ToSettings(), previous: null))
                {
                    context.AddFailure(field, message);
                }
            }
        });
    }

    [GeneratedRegex("^[a-z][a-zA-Z0-9_]{0,39}$", RegexOptions.CultureInvariant)]
    private static partial Regex KeyPattern();
}

internal sealed class CreateCustomFieldHandler(CustomersDbContext db, CustomFieldSchemaCache cache, TimeProvider time)
    : IRequestHandler<CreateCustomFieldRequest, VersionedCustomField>
{
    public async Task<VersionedCustomField> Handle(CreateCustomFieldRequest request, CancellationToken cancellationToken)
    {
        var key = request.Key;
        if (await db.CustomFieldDefinitions.AnyAsync(d => d.Entity == request.Entity && d.Key == key, cancellationToken))
        {
            throw CustomFieldProblems.KeyTaken(key);
        }

        if (await db.CustomFieldDefinitions.CountAsync(d => d.Entity == request.Entity, cancellationToken) >= CustomFieldDefinition.MaxPerEntity)
        {
            throw CustomFieldProblems.LimitReached(CustomFieldDefinition.MaxPerEntity);
        }

        var definition = CustomFieldDefinition.Create(request.Entity, key, request.Type!.Value, request.ToSettings(), time.UtcNow());
        db.CustomFieldDefinitions.Add(definition);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException ex) when (ex.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
        {
            throw CustomFieldProblems.KeyTaken(key);
        }
        finally
        {
            cache.Invalidate();
        }

        return new VersionedCustomField(CustomFieldResponse.From(definition), definition.Version);
    }
}

/// <summary>
/// A JSON merge patch of a definition. The key and the type cannot change. Options are given as the complete
/// new list and may not drop an existing value (deactivate it instead), so stored values keep their meaning.
/// </summary>
/// <param name="Label">Label.</param>
/// <param name="IsRequired">Required on create.</param>
/// <param name="Options">The complete new list of options.</param>
/// <param name="MaxLength">Longest text value.</param>
/// <param name="Min">Smallest value.</param>
/// <param name="Max">Largest value.</param>
/// <param name="IsActive">Active.</param>
/// <param name="DisplayOrder">Display order.</param>
internal sealed record UpdateCustomFieldRequest(
    Optional<string> Label,
    Optional<bool> IsRequired,
    Optional<IReadOnlyList<CustomFieldOption>?> Options,
    Optional<int?> MaxLength,
    Optional<decimal?> Min,
    Optional<decimal?> Max,
    Optional<bool> IsActive,
    Optional<int> DisplayOrder) : IRequest<VersionedCustomField>
{
    [JsonIgnore]
    public CustomFieldEntity Entity { get; init; }

    [JsonIgnore]
    public string Key { get; init; } = string.Empty;

    [JsonIgnore]
    public IfMatch IfMatch { get; init; } = IfMatch.None;

    public CustomFieldSettings MergeInto(CustomFieldSettings current) => new(
        Label.Or(current.Label) ?? string.Empty,
        IsRequired.Or(current.IsRequired),
        Options.Or(current.Options) ?? [],
        MaxLength.Or(current.MaxLength),
        Min.Or(current.Min),
        Max.Or(current.Max),
        IsActive.Or(current.IsActive),
        DisplayOrder.Or(current.DisplayOrder));
}

internal sealed class UpdateCustomFieldHandler(CustomersDbContext db, CustomFieldSchemaCache cache, TimeProvider time)
    : IRequestHandler<UpdateCustomFieldRequest, VersionedCustomField>
{
    public async Task<VersionedCustomField> Handle(UpdateCustomFieldRequest request, CancellationToken cancellationToken)
    {
        var definition = await CustomFieldAccess.FindAsync(db.CustomFieldDefinitions, request.Entity, request.Key, cancellationToken);
        request.IfMatch.EnsureMatches(definition.Version);
        var current = definition.Settings();
        var settings = request.MergeInto(current);
        var errors = CustomFieldRules.Check(definition.Type, settings, current).ToList();
        if (errors.Count > 0)
        {
            throw ValidationFailedException.From(errors);
        }

        definition.Update(settings, time.UtcNow());
        await SaveAsync(db, cache, cancellationToken);
        return new VersionedCustomField(CustomFieldResponse.From(definition), definition.Version);
    }

    internal static async Task SaveAsync(CustomersDbContext db, CustomFieldSchemaCache cache, CancellationToken ct)
    {
        try
        {
            await db.SaveChangesAsync(ct);
        }
        finally
        {
            cache.Invalidate();
        }
    }
}

/// <summary>DELETE deactivates: the definition and every stored value stay, and the field takes no new values.</summary>
internal sealed record DeactivateCustomFieldRequest(CustomFieldEntity Entity, string Key, IfMatch IfMatch) : IRequest<VersionedCustomField>;

internal sealed class DeactivateCustomFieldHandler(CustomersDbContext db, CustomFieldSchemaCache cache, TimeProvider time)
    : IRequestHandler<DeactivateCustomFieldRequest, VersionedCustomField>
{
    public async Task<VersionedCustomField> Handle(DeactivateCustomFieldRequest request, CancellationToken cancellationToken)
    {
        var definition = await CustomFieldAccess.FindAsync(db.CustomFieldDefinitions, request.Entity, request.Key, cancellationToken);
        request.IfMatch.EnsureMatches(definition.Version);
        if (definition.IsActive)
        {
            definition.Update(definition.Settings() with { IsActive = false }, time.UtcNow());
            await UpdateCustomFieldHandler.SaveAsync(db, cache, cancellationToken);
        }

        return new VersionedCustomField(CustomFieldResponse.From(definition), definition.Version);
    }
}

internal static class CustomFieldAccess
{
    public static async Task<CustomFieldDefinition> FindAsync(IQueryable<CustomFieldDefinition> definitions, CustomFieldEntity entity, string key, CancellationToken ct) =>
        await definitions.SingleOrDefaultAsync(d => d.Entity == entity && d.Key == key, ct)
        ?? throw new NotFoundException("Custom field", key);
}

/// <summary>The rules of a definition's settings, which depend on its type; <c>previous</c> is the stored state on updates.</summary>
internal static class CustomFieldRules
{
    private const int MaxOptions = 200;
    private const int MaxOptionLength = 100;
    private const int MaxTextLength = 10000;

    public static IEnumerable<(string Field, string Message)> Check(CustomFieldType type, CustomFieldSettings settings, CustomFieldSettings? previous)
    {
        if (string.IsNullOrWhiteSpace(settings.Label) || settings.Label.Trim().Length > 100)
        {
            yield return ("label", "label is required, at most 100 characters.");
        }

        var selectable = type is CustomFieldType.Select or CustomFieldType.MultiSelect;
        if (selectable && settings.Options.Count is 0 or > MaxOptions)
        {
            yield return ("options", $"A {Name(type)} field needs 1 to {MaxOptions} options.");
        }
        else if (!selectable && settings.Options.Count > 0)
        {
            yield return ("options", $"Only select and multiSelect fields have options, not {Name(type)}.");
        }

        if (settings.Options.Any(o => string.IsNullOrWhiteSpace(o.Value) || o.Value.Trim().Length > MaxOptionLength
                || string.IsNullOrWhiteSpace(o.Label) || o.Label.Trim().Length > MaxOptionLength))
        {
            yield return ("options", $"Every option needs a value and a label of at most {MaxOptionLength} characters.");
        }
        else if (settings.Options.GroupBy(o => o.Value.Trim(), StringComparer.Ordinal).Any(g => g.Count() > 1))
        {
            yield return ("options", "Option values must be unique.");
        }
        else if (selectable && settings.Options.All(o => !o.IsActive))
        {
            yield return ("options", "At least one option must be active.");
        }

        var dropped = previous?.Options.Select(o => o.Value).Except(settings.Options.Select(o => o.Value.Trim()), StringComparer.Ordinal).ToList() ?? [];
        if (dropped.Count > 0)
        {
            yield return ("options", $"Options cannot be removed, only deactivated (isActive: false), so stored values keep their meaning: {string.Join(", ", dropped)}.");
        }

        if (settings.MaxLength is { } maxLength && (type != CustomFieldType.Text || maxLength is < 1 or > MaxTextLength))
        {
            yield return ("maxLength", $"maxLength applies to text fields only, 1 to {MaxTextLength}.");
        }

        var numeric = type is CustomFieldType.Number or CustomFieldType.Integer or CustomFieldType.Decimal;
        if (!numeric && (settings.Min is not null || settings.Max is not null))
        {
            yield return ("min", "min and max apply to number, integer and decimal fields only.");
        }
        else if (settings.Min > settings.Max)
        {
            yield return ("min", "min must not be greater than max.");
        }

        if (settings.DisplayOrder is < 0 or > 100000)
        {
            yield return ("displayOrder", "displayOrder must be between 0 and 100000.");
        }
    }

    private static string Name(CustomFieldType type) => System.Text.Json.JsonNamingPolicy.CamelCase.ConvertName(type.ToString());
}
