using Crm.SharedKernel.Audit;

namespace Crm.Modules.Customers.Domain;

/// <summary>The records that carry custom fields; the route segment of <c>/api/v1/custom-fields/{entity}</c>.</summary>
internal enum CustomFieldEntity
{
    Customers,
    Contacts,
}

/// <summary>What a custom field holds, and so how its values are checked and stored in the jsonb object.</summary>
internal enum CustomFieldType
{
    Text,
    Number,
    Integer,
    Decimal,
    Date,
    DateTime,
    Boolean,
    Select,
    MultiSelect,
    Url,
    Email,
    Phone,
}

/// <summary>A choice of a select or multiSelect field. Options are never removed, only deactivated, so stored values keep their label.</summary>
/// <param name="Value">What is stored (≤ 100 characters).</param>
/// <param name="Label">What users see (≤ 100 characters, Chinese welcome).</param>
/// <param name="IsActive">New values may only use active options; stored values of inactive ones stay.</param>
internal sealed record CustomFieldOption(string Value, string Label, bool IsActive = true);

/// <summary>The editable part of a definition, already validated.</summary>
internal sealed record CustomFieldSettings(
    string Label,
    bool IsRequired,
    IReadOnlyList<CustomFieldOption> Options,
    int? MaxLength,
    decimal? Min,
    decimal? Max,
    bool IsActive,
    int DisplayOrder);

/// <summary>
/// An administrator-defined field of customers or contacts (自定义字段). The key and the type never change:
/// stored values are keyed by the one and shaped by the other. Deactivating hides the field from new input
/// and keeps every stored value.
/// </summary>
[AuditEntityType("customFieldDefinition")]
internal sealed class CustomFieldDefinition : IAuditable
{
    public const int MaxKeyLength = 40;
    public const int MaxPerEntity = 200;

    private CustomFieldDefinition()
    {
    }

    public Guid Id { get; private set; }

    public CustomFieldEntity Entity { get; private set; }

    public string Key { get; private set; } = string.Empty;

    public CustomFieldType Type { get; private set; }

    public string Label { get; private set; } = string.Empty;

    public bool IsRequired { get; private set; }

    public List<CustomFieldOption> Options { get; private set; } = [];

    public int? MaxLength { get; private set; }

    public decimal? Min { get; private set; }

    public decimal? Max { get; private set; }

    public bool IsActive { get; private set; }

    public int DisplayOrder { get; private set; }

    public DateTimeOffset CreatedAt { get; private set; }

    public DateTimeOffset UpdatedAt { get; private set; }

    public uint Version { get; private set; }

    public static CustomFieldDefinition Create(CustomFieldEntity entity, string key, CustomFieldType type, CustomFieldSettings settings, DateTimeOffset now)
    {
        var definition = new CustomFieldDefinition
        {
            Id = Guid.CreateVersion7(now),
            Entity = entity,
            Key = key,
            Type = type,
            CreatedAt = now,
        };
        definition.Update(settings, now);
        return definition;
    }

    public CustomFieldSettings Settings() => new(Label, IsRequired, Options, MaxLength, Min, Max, IsActive, DisplayOrder);

    public void Update(CustomFieldSettings settings, DateTimeOffset now)
    {
        Label = settings.Label.Trim();
        IsRequired = settings.IsRequired;
        Options = settings.Options.Select(o => o with { Value = o.Value.Trim(), Label = o.Label.Trim() }).ToList();
        MaxLength = settings.MaxLength;
        Min = settings.Min;
        Max = settings.Max;
        IsActive = settings.IsActive;
        DisplayOrder = settings.DisplayOrder;
        UpdatedAt = now;
    }
}
