Feature: AdditionTypesExtra - + on operand types that can never be added fails at compile time (Neo4j type check)

  Scenario Outline: [1] Fail on adding <r> to <l>
    Given any graph
    When executing query:
      """
      RETURN <l> + <r> AS x
      """
    Then a SyntaxError should be raised at compile time: InvalidArgumentType

    Examples:
      | l     | r      |
      | 'a'   | true   |
      | true  | 'a'    |
      | 1     | true   |
      | true  | 1      |
      | {a:1} | 1      |
      | 1     | {a: 1} |
      | 'a'   | {a: 1} |
      | 1.5   | false  |

  Scenario: [2] Valid + combinations still pass the check
    Given any graph
    When executing query:
      """
      RETURN 'a' + 1 AS a, 1.5 + 'b' AS b, [1] + true AS c, true + [1] AS d, null + true AS e,
             toString(date('2020-01-01') + duration('P1D')) AS f
      """
    Then the result should be, in any order:
      | a    | b      | c         | d         | e    | f            |
      | 'a1' | '1.5b' | [1, true] | [true, 1] | null | '2020-01-02' |
    And no side effects
