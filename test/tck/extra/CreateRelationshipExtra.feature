Feature: CreateRelationshipExtra - errors when creating relationships

  Scenario: [1] Fail when creating a relationship that is already bound, even without a type
    Given any graph
    When executing query:
      """
      MATCH ()-[r]->()
      CREATE ()-[r]->()
      """
    Then a SyntaxError should be raised at compile time: VariableAlreadyBound

  Scenario: [2] Fail when creating a relationship with two directions
    Given any graph
    When executing query:
      """
      CREATE (a)<-[:FOO]->(b)
      """
    Then a SyntaxError should be raised at compile time: RequiresDirectedRelationship

  Scenario: [3] Fail when creating the same relationship variable twice in one pattern
    Given any graph
    When executing query:
      """
      CREATE (a)-[r:R]->(b)-[r:R]->(c)
      """
    Then a SyntaxError should be raised at compile time: VariableAlreadyBound
