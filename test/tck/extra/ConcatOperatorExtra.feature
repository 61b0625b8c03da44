Feature: ConcatOperatorExtra - the || concatenation operator (Neo4j 5.19+)

  Scenario: [1] || concatenates strings and lists, null gives null
    Given any graph
    When executing query:
      """
      RETURN 'Neo' || '4j' AS a, [1] || [2, 3] AS b, 'a' || null AS c, 'a' || 'b' + 'c' AS d,
             [x IN ['a', 'b'] | x || '!'] AS e
      """
    Then the result should be, in any order:
      | a       | b         | c    | d     | e            |
      | 'Neo4j' | [1, 2, 3] | null | 'abc' | ['a!', 'b!'] |
    And no side effects

  Scenario: [2] || on a string and a number fails at compile time
    Given any graph
    When executing query:
      """
      RETURN 'a' || 1 AS a
      """
    Then a SyntaxError should be raised at compile time: InvalidArgumentType

  Scenario: [3] || on a string and a number fails at runtime when the type is only known then
    Given any graph
    When executing query:
      """
      UNWIND ['a', 1] AS x
      RETURN 'a' || x AS a
      """
    Then a TypeError should be raised at runtime: InvalidArgumentType
